using System.Globalization;
using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Training;

namespace Chat.ModelTrainer;

/// <summary>
/// <c>train --out DIR [--minutes N] [--steps N] [--resume]</c>, <c>eval --out DIR [--per-skill N] [--show-mistakes N] [--check-floors]</c>,
/// <c>export --out DIR --model MODEL_DIR</c>: DIR is the run folder (checkpoint, history, curve).
/// </summary>
public static class Cli
{
    private const string Usage =
        "usage: ModelTrainer train --out DIR [--steps N] [--minutes N] [--resume] [--data-seed N] [--rows N] [--row-length N] [--context-extension F] [--short-rows F] [--short-row-length N] [--long-rows-every K] [--lr X] [--digit-weight X] [--precision auto|bfloat16|float32] [--optimizer muon|adamw] [--muon-lr X] [--replay F] [--hard-arithmetic F] [--hard-for all|multiply] [--mix balanced|arithmetic] [--matched-digits F] [--small-differences F] [--crossing-follow-ups F] [--negative-follow-ups F] [--carry-follow-ups F] [--carry-arithmetic F] [--average-decay X]\n"
        + "                      [--layers N] [--hidden N] [--intermediate N] [--heads N] [--kv-heads N] [--rope-theta X]   (shape; default: the shipped model's)\n"
        + "       ModelTrainer eval --out DIR [--weights final|averaged] [--split held-out|training] [--per-skill N] [--show-mistakes N] [--check-floors]\n"
        + "       ModelTrainer export --out DIR [--weights final|averaged] --model MODEL_DIR";

    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        Dictionary<string, string> flags;
        try
        {
            flags = ParseFlags(args[1..]);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine($"{args[0]}: {error.Message}\n{Usage}");
            return 2;
        }

        try
        {
            TorchSharpNative.EnsureLoaded();
            return args[0] switch
            {
                "train" => Train(flags),
                "eval" => Evaluate(flags),
                "export" => Export(flags),
                _ => throw new ArgumentException($"unknown verb '{args[0]}'."),
            };
        }
        catch (Exception error) when (error is ArgumentException or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"{args[0]}: {error.Message}");
            return error is ArgumentException ? 2 : 1;
        }
    }

    private static int Train(Dictionary<string, string> flags)
    {
        var defaults = new TrainingOptions { OutDirectory = Required(flags, "--out") };
        var spec = defaults.Spec with
        {
            Layers = (int?)Number(flags, "--layers") ?? defaults.Spec.Layers,
            Hidden = (int?)Number(flags, "--hidden") ?? defaults.Spec.Hidden,
            Intermediate = (int?)Number(flags, "--intermediate") ?? defaults.Spec.Intermediate,
            Heads = (int?)Number(flags, "--heads") ?? defaults.Spec.Heads,
            KvHeads = (int?)Number(flags, "--kv-heads") ?? defaults.Spec.KvHeads,
            RopeTheta = (float?)Number(flags, "--rope-theta") ?? defaults.Spec.RopeTheta,
        };
        var options = defaults with
        {
            Spec = spec,
            Minutes = Number(flags, "--minutes"),
            Steps = (int?)Number(flags, "--steps"),
            Resume = flags.ContainsKey("--resume"),
            DataSeed = (int?)Number(flags, "--data-seed") ?? defaults.DataSeed,
            Rows = (int?)Number(flags, "--rows") ?? defaults.Rows,
            RowLength = (int?)Number(flags, "--row-length") ?? defaults.RowLength,
            ContextExtension = Number(flags, "--context-extension", zeroAllowed: true) ?? defaults.ContextExtension,
            ShortRows = Number(flags, "--short-rows", zeroAllowed: true) ?? defaults.ShortRows,
            ShortRowLength = (int?)Number(flags, "--short-row-length") ?? defaults.ShortRowLength,
            LongRowsEvery = (int?)Number(flags, "--long-rows-every", zeroAllowed: true) ?? defaults.LongRowsEvery,
            PeakLearningRate = Number(flags, "--lr") ?? defaults.PeakLearningRate,
            DigitLossWeight = Number(flags, "--digit-weight") ?? defaults.DigitLossWeight,
            Optimizer = flags.TryGetValue("--optimizer", out var optimizer) ? Choice<TrainingOptimizer>(optimizer, "--optimizer") : defaults.Optimizer,
            MuonLearningRate = Number(flags, "--muon-lr") ?? defaults.MuonLearningRate,
            ReplayFraction = Number(flags, "--replay", zeroAllowed: true) ?? defaults.ReplayFraction,
            HardArithmetic = Number(flags, "--hard-arithmetic", zeroAllowed: true) ?? defaults.HardArithmetic,
            MatchedDigits = Number(flags, "--matched-digits", zeroAllowed: true) ?? defaults.MatchedDigits,
            SmallDifferences = Number(flags, "--small-differences", zeroAllowed: true) ?? defaults.SmallDifferences,
            CrossingFollowUps = Number(flags, "--crossing-follow-ups", zeroAllowed: true) ?? defaults.CrossingFollowUps,
            NegativeFollowUps = Number(flags, "--negative-follow-ups", zeroAllowed: true) ?? defaults.NegativeFollowUps,
            CarryFollowUps = Number(flags, "--carry-follow-ups", zeroAllowed: true) ?? defaults.CarryFollowUps,
            CarryArithmetic = Number(flags, "--carry-arithmetic", zeroAllowed: true) ?? defaults.CarryArithmetic,
            Mix = flags.TryGetValue("--mix", out var mix) ? Choice<SkillMix>(mix, "--mix") : defaults.Mix,
            HardFor = flags.TryGetValue("--hard-for", out var hardFor) ? Choice<HardArithmeticScope>(hardFor, "--hard-for") : defaults.HardFor,
            AverageDecay = Number(flags, "--average-decay", zeroAllowed: true) ?? defaults.AverageDecay,
            BFloat16Matmuls = BFloat16Projections(flags),
        };
        var state = new Trainer(options, Console.Out).Run();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {state.Step} steps, {state.Tokens:N0} tokens in {TimeSpan.FromSeconds(state.ElapsedSeconds):hh\\:mm\\:ss}; "
            + $"curve: {Path.Combine(options.OutDirectory, TrainingHistory.PlotName)}"));
        return 0;
    }

    /// <summary>--precision, auto by default: auto measures this CPU.</summary>
    private static bool BFloat16Projections(Dictionary<string, string> flags)
    {
        if (ProjectionPrecision.Parse(flags.GetValueOrDefault("--precision", "auto")) is { } fixedChoice)
        {
            return fixedChoice;
        }

        var (bfloat16, float32) = ProjectionPrecision.Measure();
        var prefer = ProjectionPrecision.PreferBFloat16(bfloat16, float32);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"precision auto: a projection multiply with its backward takes {bfloat16.TotalMilliseconds:0.0} ms in bfloat16 and {float32.TotalMilliseconds:0.0} ms in float32 here -> {(prefer ? "bfloat16" : "float32")} projections"));
        return prefer;
    }

    private static int Evaluate(Dictionary<string, string> flags)
    {
        var outDirectory = Required(flags, "--out");
        var perSkill = (int?)Number(flags, "--per-skill") ?? 100;
        var shownMistakes = (int?)Number(flags, "--show-mistakes", zeroAllowed: true) ?? 4; // read before the evaluation, so a bad value fails fast
        var weights = Weights(flags);
        var heldOut = flags.GetValueOrDefault("--split", "held-out").ToLowerInvariant() switch
        {
            "held-out" => true,
            "training" => false, // the same forms on values training emits: the gap to held-out is the generalization part of the misses
            var other => throw new ArgumentException($"--split must be held-out or training, not '{other}'."),
        };
        var format = new ChatFormat();
        var (model, state) = Checkpoint.LoadModel(outDirectory, format, weights);
        var report = Evaluator.Run(model, format, SkillCorpus.EvalCases(perSkill, heldOut));
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{(heldOut ? "held-out" : "training-side")} exact match{(weights == CheckpointWeights.Averaged ? " of the weight average" : "")} after {state.Step} steps ({TimeSpan.FromSeconds(state.ElapsedSeconds):hh\\:mm\\:ss} of training): {report.Accuracy * 100:0.0}%\n\n{report.ToTable()}");
        File.WriteAllText(Path.Combine(outDirectory, "eval.md"), summary);
        File.WriteAllText(Path.Combine(outDirectory, EvalReport.JsonName), report.ToJson(state.Step, state.ElapsedSeconds));
        Console.WriteLine(summary);
        foreach (var mistake in report.Mistakes(perSkill: shownMistakes))
        {
            Console.WriteLine("  " + mistake);
        }

        var misses = AccuracyFloors.Misses(report);
        foreach (var (skill, accuracy, floor) in misses)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"below the floor: {skill} {accuracy * 100:0.0}% < {floor * 100:0}%"));
        }

        // Exit code 3 tells scripts the run is not good enough to ship.
        return flags.ContainsKey("--check-floors") && misses.Count > 0 ? 3 : 0;
    }

    private static int Export(Dictionary<string, string> flags)
    {
        var (model, _) = Checkpoint.LoadModel(Required(flags, "--out"), new ChatFormat(), Weights(flags));
        var result = Exporter.Export(model, Required(flags, "--model"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {Path.GetFullPath(result.Directory)}: {result.ParameterCount:N0} parameters, vocab {result.Vocab}"));
        return 0;
    }

    private static CheckpointWeights Weights(Dictionary<string, string> flags) =>
        flags.TryGetValue("--weights", out var weights) ? Choice<CheckpointWeights>(weights, "--weights") : CheckpointWeights.Final;

    private static Dictionary<string, string> ParseFlags(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--resume" or "--check-floors":
                    flags[args[i]] = "";
                    break;
                case "--float32": // the older spelling of --precision float32
                    flags["--precision"] = "float32";
                    break;
                case "--out" or "--model" or "--minutes" or "--steps" or "--data-seed" or "--rows" or "--row-length" or "--lr" or "--per-skill"
                    or "--layers" or "--hidden" or "--intermediate" or "--heads" or "--kv-heads" or "--rope-theta" or "--digit-weight" or "--precision"
                    or "--optimizer" or "--muon-lr" or "--show-mistakes" or "--replay" or "--hard-arithmetic" or "--mix" or "--matched-digits"
                    or "--small-differences" or "--crossing-follow-ups" or "--negative-follow-ups" or "--carry-follow-ups" or "--carry-arithmetic" or "--hard-for" or "--average-decay" or "--weights" or "--split":
                    flags[args[i]] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'.");
            }
        }

        return flags;
    }

    private static string Required(Dictionary<string, string> flags, string flag) =>
        flags.TryGetValue(flag, out var value) ? value : throw new ArgumentException($"{flag} is required.");

    /// <summary>A flag naming one member of <typeparamref name="T"/>, case-insensitive (<c>--optimizer muon</c>, <c>--mix arithmetic</c>).</summary>
    internal static T Choice<T>(string text, string flag)
        where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new ArgumentException($"{flag} must be {string.Join(" or ", Enum.GetNames<T>().Select(name => name.ToLowerInvariant()))}, not '{text}'.");
    }

    private static double? Number(Dictionary<string, string> flags, string flag, bool zeroAllowed = false)
    {
        if (!flags.TryGetValue(flag, out var text))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && (value > 0 || (zeroAllowed && value == 0))
            ? value
            : throw new ArgumentException($"{flag} expects a {(zeroAllowed ? "non-negative" : "positive")} number, got '{text}'.");
    }
}
