using System.Globalization;

namespace Chat.TestSupport.Classification;

/// <summary>The committed breast-cancer dataset and default classifier, as tests use them.</summary>
public static class BreastCancerData
{
    public const string ModelName = "breast-cancer";

    private static readonly Lazy<(float[][] Rows, int[] Targets)> Data = new(Read);

    public static string CsvPath => Path.Combine(RepositoryPaths.Models, "data", "breast_cancer.csv");

    public static string ClassifiersRoot => Path.Combine(RepositoryPaths.Models, "classifiers");

    /// <summary>The committed version folder (there is exactly one).</summary>
    public static string CommittedVersionFolder => Directory.GetDirectories(Path.Combine(ClassifiersRoot, ModelName)).Single();

    public static IReadOnlyList<string> FeatureNames => File.ReadAllLines(Path.Combine(RepositoryPaths.Models, "data", "breast_cancer.features.txt"));

    public static float[][] Rows => Data.Value.Rows;

    public static int[] Targets => Data.Value.Targets;

    private static (float[][] Rows, int[] Targets) Read()
    {
        var lines = File.ReadAllLines(CsvPath).Skip(1).Where(l => l.Length > 0).ToArray();
        var rows = lines.Select(l => l.Split(',')[..30].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var targets = lines.Select(l => int.Parse(l.Split(',')[30], CultureInfo.InvariantCulture)).ToArray();
        return (rows, targets);
    }
}
