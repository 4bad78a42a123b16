using System.Security.Cryptography;
using System.Text.Json;

namespace Chat.ModelBuilder.Classifier.Internal;

/// <summary>Train, cross-validate, write: the steps of the classifier verb.</summary>
internal static class ClassifierBuild
{
    public const string ModelFileName = "model.onnx";
    public const string MetadataFileName = "metadata.json";

    public static ClassifierBuildResult Run(ClassifierArguments options, string command)
    {
        var data = LabeledDataset.Read(options.DataPath, options.FeaturesPath);
        var classes = data.Labels.Length;
        SoftmaxRegression Train(IReadOnlyList<int> rows) =>
            SoftmaxRegression.Train(data, rows, classes, options.Epochs, options.LearningRate, options.L2);

        var cvAccuracy = CrossValidation.Accuracy(data, options.Folds, options.Seed, Train);
        var all = Enumerable.Range(0, data.Count).ToArray();
        var model = Train(all);
        var trainingAccuracy = model.Accuracy(data, all);

        var onnx = ClassifierOnnxWriter.Write(model, options.Name);
        var version = Convert.ToHexStringLower(SHA256.HashData(onnx))[..12];
        var folder = Path.Combine(options.OutPath, version);
        var sequence = Sequence(options.OutPath, folder);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, ModelFileName), onnx);

        // metadata.json is written last: a reader that finds it knows model.onnx is complete.
        var metadata = new ClassifierMetadataDocument(options, data, version, sequence, cvAccuracy, trainingAccuracy, SHA256.HashData(File.ReadAllBytes(options.DataPath)), command);
        File.WriteAllBytes(Path.Combine(folder, MetadataFileName), metadata.ToUtf8());
        return new ClassifierBuildResult(options.Name, version, folder, cvAccuracy, trainingAccuracy);
    }

    /// <summary>
    /// Versions are content hashes, so "newest" needs its own order: one more than the highest sequence
    /// already in the model's folder, or the existing one when this exact version is rebuilt (so a
    /// rebuild reproduces identical files).
    /// </summary>
    private static long Sequence(string outPath, string folder)
    {
        var existing = Path.Combine(folder, MetadataFileName);
        if (File.Exists(existing))
        {
            return ReadSequence(existing);
        }

        if (!Directory.Exists(outPath))
        {
            return 1;
        }

        var max = 0L;
        foreach (var dir in Directory.EnumerateDirectories(outPath))
        {
            var path = Path.Combine(dir, MetadataFileName);
            if (File.Exists(path))
            {
                max = Math.Max(max, ReadSequence(path));
            }
        }

        return max + 1;
    }

    private static long ReadSequence(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        if (!document.RootElement.TryGetProperty("sequence", out var sequence) || !sequence.TryGetInt64(out var value))
        {
            throw new InvalidDataException($"{path}: 'sequence' must be an integer");
        }

        return value;
    }
}
