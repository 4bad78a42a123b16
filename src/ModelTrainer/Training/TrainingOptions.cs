using Chat.ModelBuilder.Decoder;
using Chat.ModelTrainer.Corpus;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// What a training run does. The schedule runs over <see cref="Steps"/> and/or the wall-clock
/// <see cref="Minutes"/>, whichever is spent first (the learning rate follows the elapsed fraction).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>
    /// The shape of the default chat model on a byte vocabulary: 4 attention heads of 32 over 2 KV heads (run 26 in
    /// models/README.md: subtract 97.7% against 95.1% with 8 heads of 16 over 4, and a quarter more tokens per second),
    /// rotary theta 500 (run 30: subtract 99.2% against 97.7-98.9% with 10000: 12 of the 16 rotary frequencies of a
    /// head of 32 turn a full circle within the 512-token context, against 8 with 10000).
    /// </summary>
    public static DecoderSpec DefaultSpec { get; } = new(
        Layers: 4, Hidden: 128, Heads: 4, KvHeads: 2, Intermediate: 384, Vocab: null, Context: 512,
        Seed: 20251123, Tied: true, Graph: DecoderGraphStyle.Contrib, RopeTheta: 500f);

    public required string OutDirectory { get; init; }

    public DecoderSpec Spec { get; init; } = DefaultSpec;

    public double? Minutes { get; init; }

    public int? Steps { get; init; }

    public bool Resume { get; init; }

    /// <summary>Seed of the conversation stream (the weights' seed is in <see cref="Spec"/>).</summary>
    public int DataSeed { get; init; } = 1;

    public int Rows { get; init; } = 8;

    public int RowLength { get; init; } = 384;

    /// <summary>
    /// The last share of the run that packs rows of the model's whole context (<see cref="DecoderSpec.Context"/>)
    /// with about the same tokens per step (<see cref="RowsAt"/>). A row skips any conversation longer than itself,
    /// so with 384-token rows training never sees positions past 384, and the held-out memory prompts that run past
    /// them (12 of 1,000, up to 446 tokens) were all of run 31's memory misses. All-512 rows (run 33 in
    /// models/README.md) missed none of 1,000 but train at 16.4k tokens/s against 17.8k and scored subtract 96.3%;
    /// extending the context for the last quarter costs about 2% of the tokens.
    /// </summary>
    public double ContextExtension { get; init; } = 0.25;

    /// <summary>
    /// The first share of the run that packs shorter rows of <see cref="ShortRowLength"/> with about the same tokens
    /// per step (<see cref="RowsAt"/>): 8 x 384 becomes 16 x 192. Attention costs in proportion to the row length, so a
    /// step of 16 x 192 trains 1.27 times the tokens per second of 8 x 384 here (sample, forward, backward and both
    /// optimizers; 92% of the batch holds tokens against 97%), and a row skips the conversations longer than itself
    /// (about one drawn conversation in ten at 192), which <see cref="LongRowsEvery"/> and the rest of the run train.
    /// Where it overlaps the <see cref="ContextExtension"/>, the extension wins. Three quarters by default, with every
    /// fourth step at the whole context (run 47 in models/README.md, the first script run to meet every floor).
    /// </summary>
    public double ShortRows { get; init; } = 0.75;

    /// <summary>The row length of the <see cref="ShortRows"/> share of the run.</summary>
    public int ShortRowLength { get; init; } = 192;

    /// <summary>
    /// During the <see cref="ShortRows"/> share, every K-th step (0: none) packs rows of the whole context instead
    /// (<see cref="RowsAt"/>), so the conversations longer than a short row (the long memory conversations, up to 446
    /// tokens) and the positions past it keep training there: with short rows for three quarters of a run and none
    /// of them (run 44 in models/README.md) memory scored 98%, and the loss rose tenfold on the first long batch.
    /// </summary>
    public int LongRowsEvery { get; init; } = 4;

    /// <summary>Mixed precision: projections multiply in bfloat16 during training (float32 weights, norms, attention and loss).</summary>
    public bool BFloat16Matmuls { get; init; } = true;

    public double PeakLearningRate { get; init; } = 3e-3;

    /// <summary>
    /// Which optimizer updates the projection matrices; embeddings and norms always use AdamW. Muon by
    /// default: in 8-minute probes of the whole schedule it reached 62.6% held-out exact match where
    /// AdamW reached 13.0% (models/README.md).
    /// </summary>
    public TrainingOptimizer Optimizer { get; init; } = TrainingOptimizer.Muon;

    /// <summary>Peak learning rate of <see cref="Muon"/> (the schedule scales it like AdamW's); 0.01 was the best of 0.005-0.04.</summary>
    public double MuonLearningRate { get; init; } = 0.01;

    /// <summary>
    /// Share of a batch's draws that replay conversations the model got wrong (<see cref="ReplayBuffer"/>).
    /// Off (0) by default: at 0.3 a 43-minute run (run 14 in models/README.md) scored 95.9% on 1,000
    /// held-out prompts per skill against 97.1% for the same recipe without it (run 12).
    /// </summary>
    public double ReplayFraction { get; init; }

    /// <summary>
    /// Share of training arithmetic drawn with three-digit operands and a multiplier of 2-9
    /// (<see cref="Corpus.SkillCorpus.SampleTraining"/>); the rest keeps the evaluation's mix, uniform over
    /// one, two and three digits. 0.5 by default: run 15 (models/README.md) scored 96.0% on multiply over
    /// 1,000 held-out prompts against 88.6% for run 12 without it, 97.5% overall against 97.1%.
    /// </summary>
    public double HardArithmetic { get; init; } = 0.5;

    /// <summary>
    /// Which operations <see cref="HardArithmetic"/> applies to (<see cref="HardArithmeticScope"/>). Products only since
    /// run 22 (models/README.md): 98.5% on 1,000 held-out prompts per skill like run 18, follow-ups 96.1% (95.3%), add
    /// 99.4% (99.3%), sort 94.9% (93.9%), subtract 95.2% (runs 18/19: 96.9/95.6%), and its held-out curve reached 96%
    /// after 25 minutes against 88-93%, so a slower machine loses less to the time cap.
    /// </summary>
    public HardArithmeticScope HardFor { get; init; } = HardArithmeticScope.Multiply;

    /// <summary>
    /// Share of the additions, subtractions and follow-ups not drawn hard whose second operand copies each digit
    /// of the first with probability 1/2 (<see cref="CorpusRecipe.MatchedDigits"/>): run 17 missed most near-equal
    /// differences (<c>43 - 41</c>, <c>29 - 429</c>), which independent operands almost never give. 0.5 with the
    /// arithmetic mix (run 18): subtract 96.9% and follow-ups 95.3% on 1,000 held-out prompts each, against 92.1% and 90.5%.
    /// </summary>
    public double MatchedDigits { get; init; } = 0.5;

    /// <summary>
    /// Share of the subtractions not drawn hard, and of the follow-ups, whose answer is drawn from -9 to 9
    /// (<see cref="CorpusRecipe.SmallDifferences"/>): 25 of run 19's 44 subtract misses and 20 of its 47 follow-up
    /// misses on 1,000 held-out prompts each had such an answer. Off (0) by default: at 0.3 (run 21 in models/README.md)
    /// those misses fell to 17 but the ones mixing operand lengths rose from 12 to 27, subtract 93.4% against 95.6-96.9%.
    /// </summary>
    public double SmallDifferences { get; init; }

    /// <summary>
    /// Share of the follow-ups after a result from -98 to -1 drawn as additions that reach or cross zero
    /// (<see cref="CorpusRecipe.CrossingFollowUps"/>): 13 of run 30's 21 follow-up misses on 1,000 held-out prompts
    /// (<c>-31 + 70 = 41.</c>). 0.5 by default since run 33, where those misses fell to 5 of its 24.
    /// </summary>
    public double CrossingFollowUps { get; init; } = 0.5;

    /// <summary>
    /// Share of the training conversations drawn as a subtraction with a negative answer and a follow-up on it
    /// (<see cref="CorpusRecipe.NegativeFollowUps"/>): 11 of run 34's 16 follow-up misses on 1,000 held-out prompts
    /// started from a negative result (<c>-82 + 69 = -17.</c>, <c>-13 - 90 = -123.</c>). 0.1 by default since run 36,
    /// where they fell to 1 of its 12.
    /// </summary>
    public double NegativeFollowUps { get; init; } = 0.1;

    /// <summary>
    /// Share of the follow-ups on a result of 100 or more whose adjustment brings the last two digits within 12 of a hundred
    /// (<see cref="CorpusRecipe.CarryFollowUps"/>): 11 of run 36's 12 follow-up misses on 1,000 held-out prompts
    /// (<c>234 + 65 = 399.</c>, <c>591 + 9 = 500.</c>). 0.25 by default since run 38, whose follow-ups scored 99.1% on 1,000
    /// held-out prompts (run 36: 98.8%) and 100% on 100 (run 36: 98%).
    /// </summary>
    public double CarryFollowUps { get; init; } = 0.25;

    /// <summary>
    /// Share of the additions and subtractions not drawn hard or small whose answer's hundreds digit hangs on a carry or borrow
    /// near its boundary (<see cref="CorpusRecipe.CarryArithmetic"/>): 8 of run 38's 14 add and subtract misses on 1,000
    /// held-out prompts each (4 of 5 sums, 4 of 9 differences) (<c>82 + 817 = 999.</c>, <c>266 - 176 = 80.</c>). Off (0) by default: at 0.25
    /// run 40 (models/README.md) missed the same sums and differences as run 39 without it.
    /// </summary>
    public double CarryArithmetic { get; init; }

    /// <summary>How often each skill is drawn (<see cref="SkillMix"/>); the arithmetic mix since run 18.</summary>
    public SkillMix Mix { get; init; } = SkillMix.Arithmetic;

    /// <summary>Loss weight of target digits and minus signs against 1 for every other trained token (arithmetic is the hard part).</summary>
    public double DigitLossWeight { get; init; } = 2;

    public double FinalLearningRateFraction { get; init; } = 0.05;

    /// <summary>
    /// Decay of a moving average of the weights kept beside them (<see cref="WeightAverage"/>; eval and export
    /// read it with <c>--weights averaged</c>); 0: none. Off by default: at 0.999 (about the last thousand steps)
    /// run 24 (models/README.md) scored 98.7% on 1,000 held-out prompts per skill with either set of weights.
    /// </summary>
    public double AverageDecay { get; init; }

    public int WarmupSteps { get; init; } = 200;

    public double WeightDecay { get; init; } = 0.01;

    public double ClipNorm { get; init; } = 1.0;

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan EvalInterval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Held-out cases per skill for the progress evaluations.</summary>
    public int ProgressEvalPerSkill { get; init; } = 8;

    /// <summary>
    /// The batch shape at <paramref name="progress"/> (0-1, <see cref="Trainer.Progress"/>): for the first
    /// <see cref="ShortRows"/> of the run rows of <see cref="ShortRowLength"/>, then <see cref="Rows"/> x
    /// <see cref="RowLength"/>, then for the last <see cref="ContextExtension"/> of the run rows of the whole context,
    /// each time as many rows as keep the tokens per step (at least one): 8 x 384 becomes 16 x 192 and 6 x 512. With
    /// <see cref="LongRowsEvery"/> K, the short share's steps <paramref name="step"/> with step % K == K - 1 pack rows of
    /// the whole context.
    /// </summary>
    public (int Rows, int RowLength) RowsAt(double progress, long step = 0) =>
        progress >= ExtensionStart
            ? RowsOf(Spec.Context)
            : progress < ShortRowsShare
                ? RowsOf(LongRowsEvery > 0 && step % LongRowsEvery == LongRowsEvery - 1 ? Spec.Context : ShortRowLength)
                : (Rows, RowLength);

    /// <summary>The share of the run that <see cref="RowsAt"/> gives short rows: <see cref="ShortRows"/> up to where the context extension begins, 0 where they are no shorter than the rows.</summary>
    public double ShortRowsShare => ShortRows > 0 && ShortRowLength < RowLength ? Math.Min(ShortRows, ExtensionStart) : 0;

    /// <summary>The progress where the context extension begins (infinity: never, when it is off or the rows already span the context).</summary>
    private double ExtensionStart => ContextExtension > 0 && RowLength < Spec.Context ? 1 - ContextExtension : double.PositiveInfinity;

    /// <summary>Rows of <paramref name="length"/>, as many as keep the tokens per step of <see cref="Rows"/> x <see cref="RowLength"/> (at least one).</summary>
    private (int Rows, int RowLength) RowsOf(int length) => (Math.Max(1, Rows * RowLength / length), length);

    public void Validate()
    {
        Spec.Validate();
        if (Minutes is null && Steps is null)
        {
            throw new ArgumentException("give --minutes or --steps.");
        }

        if (Minutes <= 0 || Steps <= 0 || Rows <= 0 || RowLength <= 0 || RowLength > Spec.Context || DigitLossWeight <= 0)
        {
            throw new ArgumentException("minutes, steps, rows and the digit loss weight must be positive and the row length at most the context.");
        }

        if (MuonLearningRate <= 0)
        {
            throw new ArgumentException("--muon-lr must be positive.");
        }

        if (ReplayFraction is < 0 or >= 1 || double.IsNaN(ReplayFraction))
        {
            throw new ArgumentException("--replay must be at least 0 and below 1.");
        }

        if (AverageDecay is < 0 or >= 1 || double.IsNaN(AverageDecay))
        {
            throw new ArgumentException("--average-decay must be at least 0 (0: no average) and below 1.");
        }

        RequireShare(HardArithmetic, "--hard-arithmetic");
        RequireShare(MatchedDigits, "--matched-digits");
        RequireShare(SmallDifferences, "--small-differences");
        RequireShare(CrossingFollowUps, "--crossing-follow-ups");
        RequireShare(NegativeFollowUps, "--negative-follow-ups");
        RequireShare(CarryFollowUps, "--carry-follow-ups");
        RequireShare(CarryArithmetic, "--carry-arithmetic");
        RequireShare(ContextExtension, "--context-extension");
        RequireShare(ShortRows, "--short-rows");
        if (ShortRowLength <= 0)
        {
            throw new ArgumentException("--short-row-length must be positive.");
        }

        if (LongRowsEvery < 0)
        {
            throw new ArgumentException("--long-rows-every must be 0 (off) or positive.");
        }
    }

    private static void RequireShare(double share, string flag)
    {
        if (share is < 0 or > 1 || double.IsNaN(share))
        {
            throw new ArgumentException($"{flag} must be from 0 to 1.");
        }
    }
}

/// <summary>The projections' optimizer: AdamW for every weight, or Muon for the projections and AdamW for the rest.</summary>
public enum TrainingOptimizer
{
    AdamW,
    Muon,
}
