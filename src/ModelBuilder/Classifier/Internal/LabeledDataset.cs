using System.Globalization;

namespace Chat.ModelBuilder.Classifier.Internal;

/// <summary>
/// Rows of features with integer class targets, read from scikit-learn's bundled CSV layout: a first
/// line <c>samples,features,label0,label1,...</c>, then one row per sample with the target last.
/// Feature names come from a sidecar file, one name per line.
/// </summary>
internal sealed class LabeledDataset
{
    private LabeledDataset(double[][] rows, int[] targets, string[] featureNames, string[] labels)
    {
        Rows = rows;
        Targets = targets;
        FeatureNames = featureNames;
        Labels = labels;
    }

    public double[][] Rows { get; }

    public int[] Targets { get; }

    public string[] FeatureNames { get; }

    public string[] Labels { get; }

    public int Count => Rows.Length;

    public int FeatureCount => FeatureNames.Length;

    public static LabeledDataset Read(string csvPath, string featuresPath)
    {
        if (!File.Exists(csvPath))
        {
            throw new InvalidDataException($"{csvPath}: data file not found");
        }

        if (!File.Exists(featuresPath))
        {
            throw new InvalidDataException($"{featuresPath}: feature names file not found (one name per line; pass --features)");
        }

        var featureNames = File.ReadAllLines(featuresPath).Where(l => l.Length > 0).ToArray();
        if (featureNames.Distinct(StringComparer.Ordinal).Count() != featureNames.Length)
        {
            throw new InvalidDataException($"{featuresPath}: feature names must be distinct");
        }

        var lines = File.ReadAllLines(csvPath);
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"{csvPath}: empty file");
        }

        var header = lines[0].Split(',');
        if (header.Length < 4
            || !int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out var samples)
            || !int.TryParse(header[1], NumberStyles.None, CultureInfo.InvariantCulture, out var featureCount))
        {
            throw new InvalidDataException($"{csvPath}:1: expected 'samples,features,label0,label1,...'");
        }

        if (featureCount != featureNames.Length)
        {
            throw new InvalidDataException($"{csvPath}:1: header declares {featureCount} features but {featuresPath} names {featureNames.Length}");
        }

        var labels = header[2..];
        var rows = new List<double[]>(samples);
        var targets = new List<int>(samples);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var cells = lines[i].Split(',');
            if (cells.Length != featureCount + 1)
            {
                throw new InvalidDataException($"{csvPath}:{i + 1}: expected {featureCount + 1} values, found {cells.Length}");
            }

            var row = new double[featureCount];
            for (var j = 0; j < featureCount; j++)
            {
                if (!double.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]) || !double.IsFinite(row[j]))
                {
                    throw new InvalidDataException($"{csvPath}:{i + 1}: column {j + 1} ('{featureNames[j]}') is not a finite number: '{cells[j]}'");
                }
            }

            if (!int.TryParse(cells[featureCount], NumberStyles.None, CultureInfo.InvariantCulture, out var target) || target >= labels.Length)
            {
                throw new InvalidDataException($"{csvPath}:{i + 1}: target '{cells[featureCount]}' is not a class index below {labels.Length}");
            }

            rows.Add(row);
            targets.Add(target);
        }

        if (rows.Count != samples)
        {
            throw new InvalidDataException($"{csvPath}: header declares {samples} samples, found {rows.Count}");
        }

        return new LabeledDataset(rows.ToArray(), targets.ToArray(), featureNames, labels);
    }
}
