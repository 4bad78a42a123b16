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
/// <param name="SmallDifferences">
/// Share of the other subtractions and of the follow-ups drawn so that the answer is from -9 to 9 (<c>46 - 37 = 9.</c>,
/// <c>62 - 66 = -4.</c>, a follow-up <c>72 - 67 = 5.</c>): the answer's length and sign depend on every digit of both
/// operands, and half of run 19's remaining subtract and follow-up misses were such answers. Drawn before the matched digits.
/// </param>
/// <param name="HardFor">Which operations <paramref name="HardArithmetic"/> applies to.</param>
/// <param name="CrossingFollowUps">
/// Share of the follow-ups after a result from -98 to -1 drawn as additions that reach or cross zero (<c>-31 + 70 = 39.</c>): the
/// answer is the second number less the first one's magnitude, the operands' order reversed against every difference
/// asked, and 13 of run 30's 21 follow-up misses on 1,000 held-out prompts were such additions. Drawn before the others.
/// </param>
/// <param name="NegativeFollowUps">
/// Share of the training conversations drawn as a subtraction with a negative answer and a follow-up on it
/// (<c>45 - 312 = -267.</c>, then <c>Add 40 to that.</c>): the follow-up's operation on a negative number turns into the
/// other one on its magnitude (<c>-82 + 69 = -13.</c>, <c>-13 - 90 = -103.</c>), and 11 of run 34's 16 follow-up misses
/// on 1,000 held-out prompts started from a negative result, the base of about one evaluated follow-up in six. Drawn first.
/// </param>
/// <param name="CarryFollowUps">
/// Share of the follow-ups on a result of 100 or more drawn so that the adjustment carries into or borrows from the
/// hundreds or stops just short (the last two digits come within 12 of a hundred): the leading digit then hangs on every
/// digit below it, and 11 of run 36's 12 follow-up misses on 1,000 held-out prompts were such follow-ups
/// (<c>234 + 65 = 399.</c>, <c>591 + 9 = 500.</c>, <c>224 - 26 = 298.</c>). Drawn after the crossing ones.
/// </param>
/// <param name="CarryArithmetic">
/// Share of the additions and subtractions not drawn hard or small whose operands' last two digits sum to within 12 of a
/// hundred (additions) or differ by at most 12 (subtractions with a number of 100 or more, the smaller's from the larger's): the hundreds digit of the answer
/// then hangs on a carry or borrow that may run from the units through the tens, and 8 of run 38's 14 add and subtract misses
/// on 1,000 held-out prompts each were such sums (4 of 5) or differences (4 of 9) (<c>82 + 817 = 999.</c>, <c>379 + 823 = 1102.</c>,
/// <c>266 - 176 = 80.</c>). Drawn before the matched digits.
/// </param>
public sealed record CorpusRecipe(double HardArithmetic = 0, SkillMix Mix = SkillMix.Balanced, double MatchedDigits = 0, double SmallDifferences = 0,
    HardArithmeticScope HardFor = HardArithmeticScope.All, double CrossingFollowUps = 0, double NegativeFollowUps = 0,
    double CarryFollowUps = 0, double CarryArithmetic = 0);
