using Chat.Inference.Classification;
using Chat.TestSupport.Classification;

namespace Chat.Inference.Tests.Classification;

public sealed class ClassifierModelTests
{
    [Fact]
    public void Every_row_matches_the_probabilities_computed_from_the_graph_weights()
    {
        using var model = ClassifierModel.Load(BreastCancerData.CommittedVersionFolder);
        var reference = ReferenceClassifier.Load(BreastCancerData.CommittedVersionFolder);
        var rows = BreastCancerData.Rows;
        var features = rows.SelectMany(r => r).ToArray();
        var probabilities = new float[rows.Length * model.LabelCount];

        model.Predict(features, rows.Length, probabilities);

        for (var r = 0; r < rows.Length; r++)
        {
            var expected = reference.Probabilities(rows[r]);
            for (var c = 0; c < model.LabelCount; c++)
            {
                Assert.Equal(expected[c], probabilities[(r * model.LabelCount) + c], 1e-5);
            }
        }

        Assert.Equal(BreastCancerData.ModelName, model.Name);
        Assert.Equal(30, model.FeatureCount);
        Assert.Equal(["malignant", "benign"], model.Metadata.Labels);
    }

    [Fact]
    public async Task Concurrent_callers_get_their_own_answers()
    {
        using var model = ClassifierModel.Load(BreastCancerData.CommittedVersionFolder);
        var reference = ReferenceClassifier.Load(BreastCancerData.CommittedVersionFolder);

        var tasks = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = worker; i < BreastCancerData.Rows.Length; i += 8)
            {
                var output = new float[2];
                model.Predict(BreastCancerData.Rows[i].ToArray(), 1, output);
                Assert.Equal(reference.Probabilities(BreastCancerData.Rows[i])[1], output[1], 1e-5);
            }
        }));

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void A_model_file_that_does_not_match_its_version_is_refused()
    {
        var root = Directory.CreateTempSubdirectory("classifier-tamper-").FullName;
        try
        {
            var folder = CopyCommitted(root);
            var bytes = File.ReadAllBytes(Path.Combine(folder, "model.onnx"));
            bytes[^1] ^= 0x01;
            File.WriteAllBytes(Path.Combine(folder, "model.onnx"), bytes);

            var error = Assert.Throws<InvalidDataException>(() => ClassifierModel.Load(folder));
            Assert.Contains("model.onnx", error.Message, StringComparison.Ordinal);
            Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Metadata_missing_a_field_is_refused_naming_the_field()
    {
        var root = Directory.CreateTempSubdirectory("classifier-metadata-").FullName;
        try
        {
            var folder = CopyCommitted(root);
            var metadata = Path.Combine(folder, "metadata.json");
            File.WriteAllText(metadata, File.ReadAllText(metadata).Replace("\"labels\"", "\"labelz\"", StringComparison.Ordinal));

            var error = Assert.Throws<InvalidDataException>(() => ClassifierModel.Load(folder));
            Assert.Contains("'labels'", error.Message, StringComparison.Ordinal);
            Assert.Contains("metadata.json", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    internal static string CopyCommitted(string root)
    {
        var source = BreastCancerData.CommittedVersionFolder;
        var target = Path.Combine(root, BreastCancerData.ModelName, Path.GetFileName(source));
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }
}
