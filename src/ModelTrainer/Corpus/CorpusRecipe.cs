namespace Chat.ModelTrainer.Corpus;

/// <summary>
/// How <see cref="SkillCorpus.SampleTraining"/> draws beyond its seed; the defaults are the stream of runs 4-14.
/// The evaluation's cases never change with it.
/// </summary>
/// <param name="HardArithmetic">Share of arithmetic exchanges drawn with three-digit operands (and a multiplier of 2-9).</param>
/// <param name="Mix">How often each skill is drawn.</param>
/// <param name="MatchedDigits">
/// Share of the other additions, subtractions and follow-ups whose second operand copies each digit of the
/// first (aligned from the right) with probability 1/2: near-equal operands (<c>43 - 41</c>), equal endings
/// (<c>29 - 429</c>) and results crossing zero, which independent operands rarely give.
/// </param>
public sealed record CorpusRecipe(double HardArithmetic = 0, SkillMix Mix = SkillMix.Balanced, double MatchedDigits = 0);
