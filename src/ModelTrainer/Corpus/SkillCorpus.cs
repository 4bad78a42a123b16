using System.Globalization;

namespace Chat.ModelTrainer.Corpus;

/// <summary>
/// Deterministic synthetic chats for the skills contract: one seed gives one stream of training
/// conversations, and the held-out evaluation set is fixed by the split in <see cref="HeldOut"/>.
/// </summary>
public sealed class SkillCorpus
{
    public const string Capabilities = "I can do math, reverse, uppercase, lowercase, spell, count letters and sort words.";
    public const string HelloReply = "Hello! " + Capabilities;
    public const string ThanksReply = "You're welcome!";
    public const string WhoReply = "I am a small skills model. " + Capabilities;
    public const string HelpReply = Capabilities + " Try: What is 347 + 589?";
    public const string FallbackReply = "Sorry, I can only do math and text skills. Try: Reverse \"hello\"";

    private static readonly string[] SystemPrompts =
    [
        "You are a helpful assistant.", "You are a friendly assistant. Answer briefly.", "Be concise.",
        "You are a calculator and text helper.",
    ];

    private static readonly (string Prompt, string Reply)[] SmallTalkForms =
    [
        ("Hello", HelloReply), ("Hello!", HelloReply), ("Hi", HelloReply), ("Hi!", HelloReply), ("Hi there", HelloReply),
        ("Thanks", ThanksReply), ("Thanks!", ThanksReply), ("Thank you", ThanksReply), ("Thank you!", ThanksReply),
        ("Who are you?", WhoReply), ("Who are you", WhoReply), ("Help", HelpReply), ("Help!", HelpReply), ("help me", HelpReply),
    ];

    /// <summary>The listed small-talk forms evaluated at 100%.</summary>
    private static readonly string[] SmallTalkEval = ["Hello", "Hi", "Thanks", "Who are you?", "Help"];

    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string TextChars = Letters + "0123456789";
    private const string Consonants = "bcdfghjklmnprstvwz";
    private const string Vowels = "aeiou";

    /// <summary>
    /// One training conversation: mostly a single exchange, sometimes several turns with memory and follow-ups,
    /// drawn as <paramref name="recipe"/> says (null: the default recipe, whose shares are 0, so the stream of
    /// <paramref name="random"/> is the same as before they existed).
    /// </summary>
    public static IReadOnlyList<ChatMessage> SampleTraining(Random random, CorpusRecipe? recipe = null)
    {
        recipe ??= new CorpusRecipe();
        var (hardArithmetic, mix) = (recipe.HardArithmetic, recipe.Mix);
        var messages = new List<ChatMessage>();
        if (random.NextDouble() < 0.15)
        {
            messages.Add(ChatMessage.System(random.NextDouble() < 0.7 ? Pick(random, SystemPrompts) : Sentence(random)));
        }

        if (recipe.NegativeFollowUps > 0 && random.NextDouble() < recipe.NegativeFollowUps)
        {
            var difference = NegativeDifference(messages, random);
            FollowUp(messages, random, difference, heldOut: false, out _, recipe.MatchedDigits, recipe.SmallDifferences, recipe.CrossingFollowUps,
                recipe.CarryFollowUps);
            return messages;
        }

        if (random.NextDouble() < 0.65)
        {
            AddExchange(messages, random, heldOut: false, PickSkill(random, mix), out _, recipe);
            return messages;
        }

        var followUpBelow = mix == SkillMix.Arithmetic ? 0.8 : 0.6;
        var turns = random.Next(2, 7);
        string? name = null;
        long? lastResult = null;
        for (var turn = 0; turn < turns; turn++)
        {
            var roll = random.NextDouble();
            if (name is null && roll < 0.3)
            {
                name = NameValue(random, heldOut: false);
                Exchange(messages, Case(random, "My name is ") + name + ".", $"Nice to meet you, {name}!");
                lastResult = null;
            }
            else if (name is not null && roll < 0.25)
            {
                Exchange(messages, Case(random, "What is my name?"), $"Your name is {name}.");
                lastResult = null;
            }
            else if (lastResult is { } previous && roll < followUpBelow)
            {
                FollowUp(messages, random, previous, heldOut: false, out var next, recipe.MatchedDigits, recipe.SmallDifferences, recipe.CrossingFollowUps,
                    recipe.CarryFollowUps);
                lastResult = next;
            }
            else
            {
                AddExchange(messages, random, heldOut: false, PickSkill(random, mix), out lastResult, recipe);
            }
        }

        return messages;
    }

    /// <summary>The fixed held-out evaluation set: <paramref name="perSkill"/> cases of every skill (small talk: its listed forms).</summary>
    public static IReadOnlyList<EvalCase> HeldOutCases(int perSkill, int seed = 20251123) => EvalCases(perSkill, heldOut: true, seed);

    /// <summary>
    /// The evaluation's cases drawn from the training side of the split instead (<paramref name="heldOut"/> false):
    /// the same forms and operand mix on values training does emit, so the gap between the two scores says how much
    /// of a skill's misses is generalization (small talk has no split: its listed forms either way).
    /// </summary>
    public static IReadOnlyList<EvalCase> EvalCases(int perSkill, bool heldOut, int seed = 20251123)
    {
        var random = new Random(seed);
        var cases = new List<EvalCase>();
        foreach (var skill in Enum.GetValues<Skill>())
        {
            var count = skill == Skill.SmallTalk ? SmallTalkEval.Length : perSkill;
            for (var i = 0; i < count; i++)
            {
                cases.Add(EvalCase(random, skill, i, heldOut));
            }
        }

        return cases;
    }

    private static EvalCase EvalCase(Random random, Skill skill, int index, bool heldOut)
    {
        var messages = new List<ChatMessage>();
        if (index % 5 == 4)
        {
            messages.Add(ChatMessage.System(Pick(random, SystemPrompts)));
        }

        switch (skill)
        {
            case Skill.SmallTalk:
                messages.Add(ChatMessage.User(SmallTalkEval[index]));
                return new EvalCase(skill, messages, SmallTalkForms.First(f => f.Prompt == SmallTalkEval[index]).Reply);
            case Skill.Memory:
            {
                var name = NameValue(random, heldOut);
                Exchange(messages, "My name is " + name + ".", $"Nice to meet you, {name}!");
                for (var turns = random.Next(0, 4); turns > 0; turns--)
                {
                    AddExchange(messages, random, heldOut, PickSkill(random, SkillMix.Balanced), out _);
                }

                messages.Add(ChatMessage.User("What is my name?"));
                return new EvalCase(skill, messages, $"Your name is {name}.");
            }
            case Skill.FollowUp:
            {
                var arithmetic = (Skill)random.Next((int)Skill.Add, (int)Skill.Multiply + 1);
                AddExchange(messages, random, heldOut, arithmetic, out var result);
                var reply = FollowUp(messages, random, result!.Value, heldOut, out _);
                return Last(skill, messages, reply);
            }
            default:
                AddExchange(messages, random, heldOut, skill, out _);
                return Last(skill, messages, messages[^1].Content);
        }
    }

    private static EvalCase Last(Skill skill, List<ChatMessage> messages, string expected)
    {
        messages.RemoveAt(messages.Count - 1);
        return new EvalCase(skill, messages, expected);
    }

    /// <summary>
    /// Arithmetic dominates: it is the hardest skill for a character-level model, which writes the
    /// leading digit first and so settles every carry at once. The case and spelling skills and the
    /// fixed replies reach 100% at a fraction of this weight. <see cref="SkillMix.Balanced"/> is the mix
    /// of runs 4-16 in models/README.md (run 1's lighter arithmetic share scored 14 and 5 points less on
    /// add and subtract and 5 and 12 more on reverse and sort); <see cref="SkillMix.Arithmetic"/> moves
    /// more of it to subtraction.
    /// </summary>
    private static Skill PickSkill(Random random, SkillMix mix)
    {
        var roll = random.NextDouble();
        return mix switch
        {
            SkillMix.Arithmetic => roll switch
            {
                < 0.21 => Skill.Add,
                < 0.46 => Skill.Subtract,
                < 0.60 => Skill.Multiply,
                < 0.68 => Skill.Reverse,
                < 0.72 => Skill.Upper,
                < 0.75 => Skill.Lower,
                < 0.80 => Skill.Spell,
                < 0.83 => Skill.Count,
                < 0.94 => Skill.Sort,
                < 0.97 => Skill.SmallTalk,
                _ => Skill.Fallback,
            },
            _ => roll switch
            {
                < 0.19 => Skill.Add,
                < 0.38 => Skill.Subtract,
                < 0.52 => Skill.Multiply,
                < 0.64 => Skill.Reverse,
                < 0.68 => Skill.Upper,
                < 0.72 => Skill.Lower,
                < 0.76 => Skill.Spell,
                < 0.80 => Skill.Count,
                < 0.92 => Skill.Sort,
                < 0.96 => Skill.SmallTalk,
                _ => Skill.Fallback,
            },
        };
    }

    /// <summary>Appends one user/assistant exchange of a single-turn skill; result is the arithmetic answer, if any.</summary>
    private static void AddExchange(List<ChatMessage> messages, Random random, bool heldOut, Skill skill, out long? result, CorpusRecipe? recipe = null)
    {
        result = null;
        switch (skill)
        {
            case Skill.Add or Skill.Subtract or Skill.Multiply:
                result = Arithmetic(messages, random, heldOut, skill, recipe ?? new CorpusRecipe());
                return;
            case Skill.Reverse or Skill.Upper or Skill.Lower:
            {
                var text = TextValue(random, heldOut, spaces: true);
                var (verb, reply) = skill switch
                {
                    Skill.Reverse => ("Reverse", new string(text.Reverse().ToArray())),
                    Skill.Upper => ("Uppercase", text.ToUpperInvariant()),
                    _ => ("Lowercase", text.ToLowerInvariant()),
                };
                Exchange(messages, Case(random, verb + " ") + Quote(text), reply);
                return;
            }
            case Skill.Spell:
            {
                var word = TextValue(random, heldOut, spaces: false);
                Exchange(messages, Case(random, "Spell ") + Quote(word), string.Join('-', word.ToCharArray()));
                return;
            }
            case Skill.Count:
            {
                var word = TextValue(random, heldOut, spaces: false);
                var noun = word.Length == 1 ? "letter" : "letters";
                Exchange(messages, Case(random, "How many letters are in ") + Quote(word) + "?",
                    $"{Quote(word)} has {word.Length.ToString(CultureInfo.InvariantCulture)} {noun}.");
                return;
            }
            case Skill.Sort:
            {
                var words = SortValue(random, heldOut);
                Exchange(messages, Case(random, "Sort: ") + string.Join(' ', words), string.Join(' ', words.Order(StringComparer.Ordinal)));
                return;
            }
            case Skill.SmallTalk:
            {
                var (prompt, reply) = Pick(random, SmallTalkForms);
                Exchange(messages, Case(random, prompt), reply);
                return;
            }
            case Skill.Fallback:
                Exchange(messages, Sentence(random), FallbackReply);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(skill), skill, "not a single-turn skill");
        }
    }

    private static long Arithmetic(List<ChatMessage> messages, Random random, bool heldOut, Skill skill, CorpusRecipe recipe)
    {
        var op = skill switch { Skill.Add => '+', Skill.Subtract => '-', _ => '*' };
        var hard = !heldOut && (op == '*' || recipe.HardFor == HardArithmeticScope.All) && recipe.HardArithmetic > 0
            && random.NextDouble() < recipe.HardArithmetic;
        var small = !heldOut && !hard && op == '-' && recipe.SmallDifferences > 0 && random.NextDouble() < recipe.SmallDifferences;
        var carry = !heldOut && !hard && !small && op != '*' && recipe.CarryArithmetic > 0 && random.NextDouble() < recipe.CarryArithmetic;
        var matched = !heldOut && !hard && !small && !carry && op != '*' && recipe.MatchedDigits > 0 && random.NextDouble() < recipe.MatchedDigits;
        long a, b;
        do
        {
            a = hard ? random.Next(100, 1000) : Operand(random, 999);
            if (small)
            {
                // A difference from -9 to 9 that keeps the second operand within 0-999.
                b = a - random.Next((int)Math.Max(-9, a - 999), (int)Math.Min(9, a) + 1);
                continue;
            }

            b = (op, hard) switch
            {
                ('*', true) => random.Next(2, 10),
                ('*', false) => random.Next(0, 10),
                (_, true) => random.Next(100, 1000),
                _ => Operand(random, 999),
            };
            b = matched ? MatchDigits(random, a, b) : b;
        }
        while ((carry && !NearHundred(op, a, b)) || !HeldOut.PairOnSide(op, a, b, heldOut, random));

        return Ask(messages, random, op, a, b);
    }

    /// <summary>
    /// Whether the answer's hundreds digit hangs on a carry or borrow near its boundary: for a sum the operands' last two digits
    /// add up to 88-111, for a difference with a number of 100 or more those of the larger less those of the smaller come to -12 to 11
    /// (<c>82 + 817 = 899.</c>, <c>379 + 823 = 1202.</c>, <c>266 - 176 = 90.</c>, <c>85 - 979 = -894.</c>), as
    /// <see cref="BoundaryAdjustment"/> draws follow-ups.
    /// </summary>
    internal static bool NearHundred(char op, long a, long b) => op == '+'
        ? (a % 100) + (b % 100) is >= CarryLow and <= CarryHigh
        : Math.Max(a, b) >= 100 && (Math.Max(a, b) % 100) - (Math.Min(a, b) % 100) is >= BorrowLow and <= BorrowHigh;

    /// <summary>
    /// Near a hundred: last two digits that sum to <see cref="CarryLow"/>-<see cref="CarryHigh"/> or differ by
    /// <see cref="BorrowLow"/> to <see cref="BorrowHigh"/>, within 12 of a carry into or a borrow from the hundreds
    /// (<see cref="NearHundred"/>, <see cref="BoundaryAdjustment"/>).
    /// </summary>
    private const int CarryLow = 88, CarryHigh = 111, BorrowLow = -12, BorrowHigh = 11;

    /// <summary>Appends the exchange asking <paramref name="a"/> <paramref name="op"/> <paramref name="b"/> in one of its phrasings; returns the answer.</summary>
    private static long Ask(List<ChatMessage> messages, Random random, char op, long a, long b)
    {
        var result = op switch { '+' => a + b, '-' => a - b, _ => a * b };
        var prompt = (op, random.Next(3)) switch
        {
            ('+', 0) => Case(random, "What is ") + $"{a} + {b}?",
            ('+', 1) => $"{a} + {b} = ?",
            ('+', _) => Case(random, "Calculate ") + $"{a}" + Case(random, " plus ") + $"{b}",
            ('-', 0 or 1) => Case(random, "What is ") + $"{a} - {b}?",
            ('-', _) => Case(random, "Calculate ") + $"{a}" + Case(random, " minus ") + $"{b}",
            (_, 0 or 1) => Case(random, "What is ") + $"{a} * {b}?",
            _ => $"{a}" + Case(random, " times ") + $"{b}",
        };
        Exchange(messages, prompt, $"{a} {op} {b} = {result}.");
        return result;
    }

    /// <summary>
    /// A training subtraction with a negative answer, its operands drawn like the evaluation's (uniform over 1-3 digits,
    /// the second the larger) and the pair on the training side of the split; returns the answer.
    /// </summary>
    internal static long NegativeDifference(List<ChatMessage> messages, Random random)
    {
        long a, b;
        do
        {
            (a, b) = (Operand(random, 999), Operand(random, 999));
        }
        while (a >= b || !HeldOut.PairOnSide('-', a, b, heldOut: false, random));

        return Ask(messages, random, '-', a, b);
    }

    /// <summary>
    /// "Add N to that." / "Subtract N from that." with N from 1 to 99 (the contract's forms adjust a
    /// result: "Add 5", "Subtract 12"); the pair (previous, N) obeys the held-out split like any other.
    /// </summary>
    private static string FollowUp(List<ChatMessage> messages, Random random, long previous, bool heldOut, out long result, double matchedDigits = 0,
        double smallDifferences = 0, double crossingFollowUps = 0, double carryFollowUps = 0)
    {
        long n;
        bool add;
        if (!heldOut && crossingFollowUps > 0 && previous is >= -98 and <= -1 && random.NextDouble() < crossingFollowUps
            && CrossingAddition(random, previous) is { } up)
        {
            (n, add) = (up, true);
        }
        else if (!heldOut && carryFollowUps > 0 && previous >= 100 && random.NextDouble() < carryFollowUps)
        {
            do
            {
                add = random.Next(2) == 0;
                n = BoundaryAdjustment(random, previous, add);
            }
            while (!HeldOut.PairOnSide(add ? '+' : '-', previous, n, heldOut: false, random));
        }
        else
        {
            var small = !heldOut && smallDifferences > 0 && random.NextDouble() < smallDifferences;
            var matched = !heldOut && !small && matchedDigits > 0 && random.NextDouble() < matchedDigits;
            DrawAdjustment(random, previous, heldOut, small, matched, out n, out add);
        }

        result = add ? previous + n : previous - n;
        var reply = add ? $"{previous} + {n} = {result}." : $"{previous} - {n} = {result}.";
        Exchange(messages, add ? Case(random, "Add ") + $"{n}" + Case(random, " to that.") : Case(random, "Subtract ") + $"{n}" + Case(random, " from that."), reply);
        return reply;
    }

    /// <summary>N and the operation of a follow-up, the pair on the requested side of the split.</summary>
    private static void DrawAdjustment(Random random, long previous, bool heldOut, bool small, bool matched, out long n, out bool add)
    {
        do
        {
            n = random.Next(2) == 0 ? random.Next(1, 10) : random.Next(10, 100);
            n = matched ? Math.Max(1, MatchDigits(random, Math.Abs(previous), n)) : n;
            add = random.Next(2) == 0;
            if (small && SmallResultAdjustment(random, previous, add) is { } adjustment)
            {
                n = adjustment;
            }
        }
        while (!HeldOut.PairOnSide(add ? '+' : '-', previous, n, heldOut, random));
    }

    /// <summary>
    /// An N from 1 to 99 that, added to the negative <paramref name="previous"/>, gives 0 or more, uniform over those
    /// whose pair is on the training side of the split; null when none is.
    /// </summary>
    internal static long? CrossingAddition(Random random, long previous)
    {
        var candidates = new List<long>(99);
        for (var n = -previous; n <= 99; n++)
        {
            if (HeldOut.PairOnSide('+', previous, n, heldOut: false, random))
            {
                candidates.Add(n);
            }
        }

        return candidates.Count == 0 ? null : candidates[random.Next(candidates.Count)];
    }

    /// <summary>
    /// An N from 1 to 99 that, added to (<paramref name="add"/>) or subtracted from <paramref name="previous"/> (100 or more),
    /// brings its last two digits within 12 of a hundred: a carry into the hundreds or a borrow from them, or just short of one
    /// (<c>591 + 9 = 600.</c>, <c>234 + 65 = 299.</c>, <c>224 - 26 = 198.</c>, <c>224 - 20 = 204.</c>), uniform over those.
    /// </summary>
    internal static long BoundaryAdjustment(Random random, long previous, bool add)
    {
        // add: the last two digits and N sum to 88-111; subtract: they less N come to -12 to 11.
        var last = previous % 100;
        var (low, high) = add ? (Math.Max(1, CarryLow - last), Math.Min(99, CarryHigh - last)) : (Math.Max(1, last - BorrowHigh), Math.Min(99, last - BorrowLow));
        return random.NextInt64(low, high + 1);
    }

    /// <summary>
    /// The N from 1 to 99 that brings <paramref name="previous"/> to a result from -9 to 9 when added
    /// (<paramref name="add"/>) or subtracted, drawn uniformly over the results that allow one; null when none does.
    /// </summary>
    internal static long? SmallResultAdjustment(Random random, long previous, bool add)
    {
        // add: result = previous + n, n = result - previous; subtract: result = previous - n, n = previous - result.
        var (low, high) = add ? (Math.Max(-9, previous + 1), Math.Min(9, previous + 99)) : (Math.Max(-9, previous - 99), Math.Min(9, previous - 1));
        if (low > high)
        {
            return null;
        }

        var result = random.NextInt64(low, high + 1);
        return add ? result - previous : previous - result;
    }

    /// <summary>
    /// <paramref name="b"/> with each of its digits replaced, with probability 1/2, by the digit of <paramref name="a"/>
    /// in the same place counted from the right (where <paramref name="a"/> has one); the leading digit stays non-zero.
    /// </summary>
    internal static long MatchDigits(Random random, long a, long b)
    {
        var digits = b.ToString(CultureInfo.InvariantCulture).ToCharArray();
        var source = a.ToString(CultureInfo.InvariantCulture);
        for (var i = 1; i <= digits.Length && i <= source.Length; i++)
        {
            var copy = source[^i];
            if (random.Next(2) == 0 && (i < digits.Length || copy != '0' || digits.Length == 1))
            {
                digits[^i] = copy;
            }
        }

        return long.Parse(digits, CultureInfo.InvariantCulture);
    }

    /// <summary>Uniform over the number of digits first, so one- and two-digit operands are not rare.</summary>
    private static long Operand(Random random, int max)
    {
        var digits = random.Next(1, max.ToString(CultureInfo.InvariantCulture).Length + 1);
        var upper = Math.Min(max, (int)Math.Pow(10, digits) - 1);
        var lower = digits == 1 ? 0 : (int)Math.Pow(10, digits - 1);
        return random.Next(lower, upper + 1);
    }

    private static string TextValue(Random random, bool heldOut, bool spaces)
    {
        while (true)
        {
            var length = random.Next(1, 17);
            var chars = new char[length];
            for (var i = 0; i < length; i++)
            {
                var space = spaces && i > 0 && i < length - 1 && chars[i - 1] != ' ' && random.NextDouble() < 0.15;
                chars[i] = space ? ' ' : spaces ? Pick(random, TextChars) : Pick(random, Letters);
            }

            var text = random.NextDouble() < 0.5 && !spaces ? PseudoWord(random, 2, 9) : new string(chars);
            if (HeldOut.Contains(HeldOut.Text(text)) == heldOut)
            {
                return text;
            }
        }
    }

    private static string[] SortValue(Random random, bool heldOut)
    {
        while (true)
        {
            var words = new HashSet<string>(StringComparer.Ordinal);
            var count = random.Next(2, 6);
            while (words.Count < count)
            {
                words.Add(PseudoWord(random, 2, 8));
            }

            if (HeldOut.Contains(HeldOut.Words(words)) == heldOut)
            {
                return [.. words];
            }
        }
    }

    private static string NameValue(Random random, bool heldOut)
    {
        while (true)
        {
            var word = PseudoWord(random, 3, 8);
            var name = char.ToUpperInvariant(word[0]) + word[1..];
            if (HeldOut.Contains(HeldOut.Name(name)) == heldOut)
            {
                return name;
            }
        }
    }

    /// <summary>Alternating consonants and vowels: word-like lowercase strings.</summary>
    private static string PseudoWord(Random random, int minLength, int maxLength)
    {
        var length = random.Next(minLength, maxLength + 1);
        var vowelFirst = random.Next(2) == 0;
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (i % 2 == 0) == vowelFirst ? Pick(random, Vowels) : Pick(random, Consonants);
        }

        return new string(chars);
    }

    /// <summary>Text matching no skill: a few pseudo-words, sometimes a question.</summary>
    private static string Sentence(Random random)
    {
        var words = Enumerable.Range(0, random.Next(1, 6)).Select(_ => PseudoWord(random, 2, 7));
        var text = string.Join(' ', words);
        text = char.ToUpperInvariant(text[0]) + text[1..];
        return text + Pick(random, [".", "?", "!", ""]);
    }

    /// <summary>Users type the fixed phrases in any case; arguments keep theirs.</summary>
    private static string Case(Random random, string phrase) => random.NextDouble() switch
    {
        < 0.7 => phrase,
        < 0.9 => phrase.ToLowerInvariant(),
        _ => phrase.ToUpperInvariant(),
    };

    private static string Quote(string text) => "\"" + text + "\"";

    private static void Exchange(List<ChatMessage> messages, string prompt, string reply)
    {
        messages.Add(ChatMessage.User(prompt));
        messages.Add(ChatMessage.Assistant(reply));
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static char Pick(Random random, string chars) => chars[random.Next(chars.Length)];
}
