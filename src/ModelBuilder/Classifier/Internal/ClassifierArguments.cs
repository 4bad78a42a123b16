using System.Globalization;

namespace Chat.ModelBuilder.Classifier.Internal;

internal sealed record ClassifierArguments(
    string DataPath,
    string OutPath,
    string FeaturesPath,
    string Name,
    int Epochs,
    double LearningRate,
    double L2,
    int Folds,
    ulong Seed)
{
    public const string Usage =
        "usage: ModelBuilder classifier --data CSV --out DIR [--features FILE] [--name NAME] [--epochs N] [--learning-rate X] [--l2 X] [--folds K] [--seed S]";

    public static ClassifierArguments Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            var key = args[i];
            if (!key.StartsWith("--", StringComparison.Ordinal) || key is not ("--data" or "--out" or "--features" or "--name" or "--epochs" or "--learning-rate" or "--l2" or "--folds" or "--seed"))
            {
                throw new ArgumentException($"unknown option '{key}'");
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"option '{key}' needs a value");
            }

            if (!values.TryAdd(key, args[i + 1]))
            {
                throw new ArgumentException($"option '{key}' given twice");
            }
        }

        var data = values.GetValueOrDefault("--data") ?? throw new ArgumentException("--data is required");
        var outPath = values.GetValueOrDefault("--out") ?? throw new ArgumentException("--out is required");
        var features = values.GetValueOrDefault("--features") ?? Path.ChangeExtension(data, ".features.txt");
        var name = values.GetValueOrDefault("--name") ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outPath)));
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"--name '{name}' must be letters, digits, '-', '_' or '.'");
        }

        var epochs = ParseInt(values, "--epochs", 2000, 1, 1_000_000);
        var learningRate = ParseDouble(values, "--learning-rate", 0.1, 1e-6, 10);
        var l2 = ParseDouble(values, "--l2", 0.01, 0, 1000);
        var folds = ParseInt(values, "--folds", 5, 2, 100);
        var seedText = values.GetValueOrDefault("--seed") ?? "42";
        if (!ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
        {
            throw new ArgumentException($"--seed '{seedText}' must be a non-negative integer");
        }

        return new ClassifierArguments(data, outPath, features, name, epochs, learningRate, l2, folds, seed);
    }

    private static int ParseInt(Dictionary<string, string> values, string key, int fallback, int min, int max)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"{key} '{text}' must be an integer in [{min}, {max}]");
        }

        return value;
    }

    private static double ParseDouble(Dictionary<string, string> values, string key, double fallback, double min, double max)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
        {
            throw new ArgumentException($"{key} '{text}' must be a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        }

        return value;
    }
}
