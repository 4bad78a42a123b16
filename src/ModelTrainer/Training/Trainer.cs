using System.Diagnostics;
using System.Globalization;
using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// AdamW (or Muon for the projections: <see cref="TrainingOptions.Optimizer"/>) on packed synthetic chats, loss on assistant tokens only (digits weighted by
/// <see cref="TrainingOptions.DigitLossWeight"/>), linear warmup then cosine decay, gradient clipping;
/// checkpoints and a progress line at fixed wall-clock intervals.
/// </summary>
public sealed class Trainer(TrainingOptions options, TextWriter log)
{
    private readonly ChatFormat _format = new();

    /// <summary>Trains until the step or time budget is spent; returns the final state (also checkpointed).</summary>
    public TrainingState Run()
    {
        options.Validate();
        Directory.CreateDirectory(options.OutDirectory);
        var history = new TrainingHistory(options.OutDirectory);
        ChatDecoder model;
        TrainingState state;
        double digitWeight;
        if (options.Resume)
        {
            (model, state) = Checkpoint.LoadModel(options.OutDirectory, _format);
            digitWeight = state.DigitLossWeight ?? options.DigitLossWeight;
            state = state with
            {
                Minutes = options.Minutes ?? state.Minutes, Steps = options.Steps ?? state.Steps, DigitLossWeight = digitWeight,
                MuonLearningRate = state.Optimizer == TrainingOptimizer.Muon ? state.MuonLearningRate ?? options.MuonLearningRate : null,
            };
            history.TruncateAfter(state.Step);
        }
        else
        {
            model = Checkpoint.NewModel(options.Spec, _format);
            digitWeight = options.DigitLossWeight;
            var muonRate = options.Optimizer == TrainingOptimizer.Muon ? options.MuonLearningRate : (double?)null;
            state = new TrainingState(options.Spec, options.DataSeed, 0, 0, 0, options.Minutes, options.Steps, digitWeight, options.Optimizer, muonRate, options.ReplayFraction, options.HardArithmetic, options.Mix, options.MatchedDigits,
                options.SmallDifferences, options.HardFor, options.AverageDecay > 0 ? options.AverageDecay : null, options.CrossingFollowUps,
                options.NegativeFollowUps, options.CarryFollowUps, options.CarryArithmetic);
            history.Reset();
        }

        // A Muon run gives the projection matrices to Muon and the embedding and norms to AdamW.
        var byMuon = model.named_parameters()
            .ToLookup(named => state.Optimizer == TrainingOptimizer.Muon && named.name.EndsWith("_proj", StringComparison.Ordinal), named => named.parameter);
        using var optimizer = optim.AdamW(byMuon[false], options.PeakLearningRate, weight_decay: options.WeightDecay);
        using var muon = byMuon[true].Any() ? new Muon(byMuon[true], state.MuonLearningRate!.Value, weightDecay: options.WeightDecay) : null;

        // Hard-example replay, the hard arithmetic share, the skill mix and the matched-digit, small-difference, crossing, negative and carry follow-up shares and the carry arithmetic share are part of the recipe like the digit weight: --resume keeps the checkpoint's.
        var replayFraction = state.ReplayFraction ?? 0;
        var recipe = new CorpusRecipe(state.HardArithmetic ?? 0, state.Mix ?? SkillMix.Balanced, state.MatchedDigits ?? 0, state.SmallDifferences ?? 0,
            state.HardFor ?? HardArithmeticScope.All, state.CrossingFollowUps ?? 0, state.NegativeFollowUps ?? 0,
            state.CarryFollowUps ?? 0, state.CarryArithmetic ?? 0);
        var replay = new ReplayBuffer();
        if (options.Resume)
        {
            Checkpoint.LoadOptimizer(options.OutDirectory, optimizer, muon);
            replay.Load(Checkpoint.ReplayPath(options.OutDirectory));
        }

        // The weight average is part of the recipe too: --resume carries on the checkpoint's (from its current weights if it has none saved).
        using var average = state.AverageDecay is { } decay
            ? new WeightAverage(model, decay, options.Resume ? Checkpoint.LoadAverage(options.OutDirectory, _format) : null)
            : null;

        using var classWeights = ClassWeights(_format, digitWeight);
        var evalCases = SkillCorpus.HeldOutCases(options.ProgressEvalPerSkill);
        var clock = Stopwatch.StartNew();
        var startElapsed = state.ElapsedSeconds;
        var startStep = state.Step;
        var (lastProgress, lastEval, lastCheckpoint) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        var (tokensSinceProgress, lossSum, lossCount) = (0L, 0.0, 0);
        double? accuracy = null;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training {Describe(model)} from step {state.Step}, {Describe(options)} tokens per step, {(options.BFloat16Matmuls ? "bfloat16" : "float32")} projections, digit loss weight {digitWeight}, {Describe(state)}, {get_num_threads()} threads"));

        model.train();
        model.BFloat16Matmuls = options.BFloat16Matmuls;
        // The phase's shape (short rows, rows, context extension), logged when it changes; a step's own shape may differ (RowsAt with the step).
        var phase = options.RowsAt(Progress(state));
        for (var progress = Progress(state); progress < 1; progress = Progress(state))
        {
            if (options.RowsAt(progress) is var next && next != phase)
            {
                phase = next;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {state.Step}: {phase.Rows}x{phase.RowLength} tokens per step from here{(phase.RowLength == options.Spec.Context ? " (context extension)" : "")}"));
            }

            var lr = LearningRate(state);
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = lr;
            }

            if (muon is not null)
            {
                muon.LearningRate = lr / options.PeakLearningRate * state.MuonLearningRate!.Value;
            }

            var random = new Random(unchecked((state.DataSeed * 1_000_003) + state.Step));
            float loss;
            long tokens;
            using (var scope = NewDisposeScope())
            {
                var (rows, rowLength) = options.RowsAt(progress, state.Step);
                using var batch = PackedBatch.Sample(_format, random, rows, rowLength, replay, replayFraction, recipe, out _);
                var logits = model.Forward(batch.Ids, batch.Positions, segments: batch.Segments);
                if (replayFraction > 0)
                {
                    CollectMistakes(logits, batch, replay);
                }

                var lossTensor = Loss(logits, batch.Targets, classWeights);
                model.zero_grad();
                lossTensor.backward();
                nn.utils.clip_grad_norm_(model.parameters(), options.ClipNorm);
                optimizer.step();
                muon?.Step();
                average?.Update();
                loss = lossTensor.item<float>();
                tokens = batch.Tokens;
            }

            state = state with
            {
                Step = state.Step + 1,
                Tokens = state.Tokens + tokens,
                ElapsedSeconds = startElapsed + clock.Elapsed.TotalSeconds,
            };
            tokensSinceProgress += tokens;
            lossSum += loss;
            lossCount++;

            var now = clock.Elapsed;
            var done = Progress(state) >= 1;
            if (now - lastEval >= options.EvalInterval || done)
            {
                accuracy = Evaluator.Run(model, _format, evalCases).Accuracy;
                lastEval = now;
            }

            if (now - lastProgress >= options.ProgressInterval || done)
            {
                var seconds = (now - lastProgress).TotalSeconds;
                var meanLoss = lossSum / lossCount;
                history.Append(state, meanLoss, lr, accuracy);
                log.WriteLine(ProgressLine(state, meanLoss, lr, tokensSinceProgress / seconds, accuracy, startStep, now));
                (lastProgress, tokensSinceProgress, lossSum, lossCount) = (now, 0, 0, 0);
                accuracy = null;
            }

            if (now - lastCheckpoint >= options.CheckpointInterval || done)
            {
                Checkpoint.Save(options.OutDirectory, model, optimizer, muon, replayFraction > 0 ? replay : null, state, average);
                lastCheckpoint = now;
            }
        }

        history.Plot();
        return state;
    }

    /// <summary>
    /// Queues in <paramref name="replay"/> every conversation of <paramref name="batch"/> with a trained
    /// token whose argmax in <paramref name="logits"/> is not its target: a greedy reply to it would be
    /// wrong (exactly so for the first wrong token; later ones are teacher-forced).
    /// </summary>
    internal static void CollectMistakes(Tensor logits, PackedBatch batch, ReplayBuffer replay)
    {
        bool[] wrong;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var targets = batch.Targets.view(-1);
            wrong = logits.detach().argmax(-1).view(-1).ne(targets).logical_and(targets.ne(PackedBatch.Ignored)).data<bool>().ToArray();
        }

        foreach (var placement in batch.Placed)
        {
            if (Array.IndexOf(wrong, true, placement.Start, placement.Length) >= 0)
            {
                replay.Add(placement.Messages, placement.Replays);
            }
        }
    }

    /// <summary>
    /// Fraction of the budget spent: the larger of the step and wall-clock fractions that are set. With
    /// both, a machine fast enough to finish the steps in time trains exactly the step recipe, and a
    /// slower one finishes the schedule on time with fewer steps instead of overrunning.
    /// </summary>
    public static double Progress(TrainingState state) => Math.Max(
        state.Steps is { } steps ? (double)state.Step / steps : 0,
        state.Minutes is { } minutes ? state.ElapsedSeconds / (minutes * 60) : 0);

    private double LearningRate(TrainingState state)
    {
        var warmup = Math.Min(1.0, (state.Step + 1.0) / options.WarmupSteps);
        var cosine = 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp(Progress(state), 0, 1)));
        var floor = options.FinalLearningRateFraction;
        return options.PeakLearningRate * warmup * (floor + ((1 - floor) * cosine));
    }

    /// <summary>
    /// The training loss of logits [B, T, vocab] against targets [B, T]: cross-entropy averaged over the
    /// trained (non-ignored) targets, each weighted by <paramref name="classWeights"/> of its id when given.
    /// </summary>
    internal static Tensor Loss(Tensor logits, Tensor targets, Tensor? classWeights) =>
        nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), targets.view(-1), classWeights, ignore_index: PackedBatch.Ignored);

    /// <summary>Per-token loss weights: <paramref name="digitWeight"/> for the digits and '-', 1 elsewhere; null when all are 1.</summary>
    internal static Tensor? ClassWeights(ChatFormat format, double digitWeight)
    {
        if (digitWeight == 1)
        {
            return null;
        }

        var weights = Enumerable.Repeat(1f, format.Vocab).ToArray();
        foreach (var id in "-0123456789"u8)
        {
            weights[id] = (float)digitWeight; // byte-level vocabulary: the id of an ASCII character is its byte
        }

        return tensor(weights);
    }

    private static string ProgressLine(TrainingState state, double loss, double lr, double tokensPerSecond, double? accuracy, int startStep, TimeSpan runTime)
    {
        var progress = Math.Clamp(Progress(state), 0, 1);
        var stepsThisRun = Math.Max(1, state.Step - startStep);
        var bySteps = state.Steps is { } steps ? runTime.TotalSeconds / stepsThisRun * Math.Max(0, steps - state.Step) : double.MaxValue;
        var byTime = state.Minutes is { } minutes ? Math.Max(0, (minutes * 60) - state.ElapsedSeconds) : double.MaxValue;
        var eta = TimeSpan.FromSeconds(Math.Min(bySteps, byTime));
        var heldOut = accuracy is { } a ? $"{a * 100,5:0.0}%" : "    -";
        return string.Create(CultureInfo.InvariantCulture,
            $"step {state.Step,6} | loss {loss:0.0000} | lr {lr:0.00e+00} | {tokensPerSecond,6:0} tok/s | held-out {heldOut} | "
            + $"{TimeSpan.FromSeconds(state.ElapsedSeconds):hh\\:mm\\:ss} elapsed | {progress * 100,5:0.0}% | ETA {eta:hh\\:mm\\:ss}");
    }

    private static string Describe(TrainingOptions options)
    {
        var (firstRows, firstLength) = options.RowsAt(0);
        var (lastRows, lastLength) = options.RowsAt(1);
        var text = string.Create(CultureInfo.InvariantCulture, $"{options.Rows}x{options.RowLength}");
        if ((firstRows, firstLength) != (options.Rows, options.RowLength))
        {
            text += string.Create(CultureInfo.InvariantCulture, $" ({firstRows}x{firstLength} for the first {options.ShortRowsShare:0.##} of the run");
            if (options.LongRowsEvery > 1)
            {
                var (longRows, longLength) = options.RowsAt(0, options.LongRowsEvery - 1);
                text += string.Create(CultureInfo.InvariantCulture, $", {longRows}x{longLength} every {options.LongRowsEvery} steps there");
            }

            text += ")";
        }

        if ((lastRows, lastLength) != (options.Rows, options.RowLength))
        {
            text += string.Create(CultureInfo.InvariantCulture, $" ({lastRows}x{lastLength} for the last {options.ContextExtension:0.##} of the run)");
        }

        return text;
    }

    private static string Describe(TrainingState state)
    {
        List<string> recipe = [state.Optimizer == TrainingOptimizer.Muon
            ? string.Create(CultureInfo.InvariantCulture, $"Muon (lr {state.MuonLearningRate}) for the projections and AdamW for the rest")
            : "AdamW"];
        if (state.ReplayFraction is > 0 and var fraction)
        {
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"replaying mistakes in {fraction:0.##} of the draws"));
        }

        if (state.HardArithmetic is > 0 and var hard)
        {
            var what = state.HardFor is HardArithmeticScope.Multiply ? "the products with a three-digit number" : "the arithmetic with three-digit operands";
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"{hard:0.##} of {what}"));
        }

        if (state.MatchedDigits is > 0 and var matched)
        {
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"{matched:0.##} of the other sums and differences with matched digits"));
        }

        if (state.SmallDifferences is > 0 and var small)
        {
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"{small:0.##} of the other differences and the follow-ups with an answer from -9 to 9"));
        }

        if (state.CrossingFollowUps is > 0 and var crossing)
        {
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"{crossing:0.##} of the follow-ups after a result from -98 to -1 adding across zero"));
        }

        if (state.NegativeFollowUps is > 0 and var negative)
        {
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"{negative:0.##} of the conversations a follow-up on a negative difference"));
        }

        if (state.CarryFollowUps is > 0 and var carry)
        {
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"{carry:0.##} of the follow-ups on 100 or more carrying into or borrowing from the hundreds or just short"));
        }

        if (state.CarryArithmetic is > 0 and var carrySums)
        {
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"{carrySums:0.##} of the other sums and differences carrying into or borrowing from the hundreds or just short"));
        }

        if (state.AverageDecay is { } decay)
        {
            recipe.Add(string.Create(CultureInfo.InvariantCulture, $"a weight average with decay {decay}"));
        }

        if (state.Mix is SkillMix.Arithmetic)
        {
            recipe.Add("the arithmetic skill mix");
        }

        return string.Join(", ", recipe);
    }

    private static string Describe(ChatDecoder model)
    {
        var parameters = model.parameters().Sum(p => p.numel());
        var spec = model.Spec;
        return string.Create(CultureInfo.InvariantCulture,
            $"{parameters:N0} parameters ({spec.Layers} layers, hidden {spec.Hidden}, heads {spec.Heads}/{spec.KvHeads}, rope theta {spec.RopeTheta:0.##}, vocab {model.Vocab})");
    }
}
