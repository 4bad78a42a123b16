using System.Text.Json;
using Chat.ModelBuilder.Classifier;
using Chat.TestSupport;
using Chat.TestSupport.Classification;

namespace Chat.ModelBuilder.Tests.Classifier;

public sealed class ClassifierCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("classifier-build-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Same_inputs_give_identical_bytes()
    {
        var first = Build(Path.Combine(_temp, "a", "breast-cancer"), "--epochs", "300");
        var firstModel = File.ReadAllBytes(Path.Combine(first, "model.onnx"));
        var firstMetadata = File.ReadAllBytes(Path.Combine(first, "metadata.json"));

        var again = Build(Path.Combine(_temp, "a", "breast-cancer"), "--epochs", "300");
        var elsewhere = Build(Path.Combine(_temp, "b", "breast-cancer"), "--epochs", "300");

        Assert.Equal(first, again);
        Assert.Equal(firstModel, File.ReadAllBytes(Path.Combine(again, "model.onnx")));
        Assert.Equal(firstMetadata, File.ReadAllBytes(Path.Combine(again, "metadata.json")));
        Assert.Equal(firstModel, File.ReadAllBytes(Path.Combine(elsewhere, "model.onnx")));
    }

    [Fact]
    public void Committed_model_is_what_its_recorded_command_builds_and_is_accurate()
    {
        var committed = BreastCancerData.CommittedVersionFolder;
        using var metadata = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(committed, "metadata.json")));
        var root = metadata.RootElement;
        var command = root.GetProperty("created_by").GetString()!;
        const string Prefix = "dotnet run --project src/ModelBuilder -- classifier ";
        Assert.StartsWith(Prefix, command, StringComparison.Ordinal);

        // Same recorded arguments, with paths anchored at the repository and the output redirected.
        var args = command[Prefix.Length..].Split(' ');
        var outIndex = Array.IndexOf(args, "--out");
        var dataIndex = Array.IndexOf(args, "--data");
        args[outIndex + 1] = Path.Combine(_temp, "breast-cancer");
        args[dataIndex + 1] = Path.Combine(RepositoryPaths.Root, args[dataIndex + 1]);
        Assert.Equal(0, ClassifierCommand.Run(args));

        var rebuilt = Path.Combine(_temp, "breast-cancer", Path.GetFileName(committed));
        Assert.Equal(File.ReadAllBytes(Path.Combine(committed, "model.onnx")), File.ReadAllBytes(Path.Combine(rebuilt, "model.onnx")));
        Assert.InRange(root.GetProperty("cv_accuracy").GetDouble(), 0.95, 1.0);
        Assert.InRange(root.GetProperty("training_accuracy").GetDouble(), 0.95, 1.0);
        Assert.Equal(5, root.GetProperty("cv_folds").GetInt32());
        Assert.Equal(["malignant", "benign"], root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(BreastCancerData.FeatureNames, root.GetProperty("features").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(6.981, root.GetProperty("features")[0].GetProperty("min").GetDouble());
        Assert.Equal(28.11, root.GetProperty("features")[0].GetProperty("max").GetDouble());
    }

    [Fact]
    public void Weights_in_the_graph_reproduce_the_recorded_training_accuracy()
    {
        var committed = BreastCancerData.CommittedVersionFolder;
        var reference = ReferenceClassifier.Load(committed);
        using var metadata = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(committed, "metadata.json")));

        var correct = BreastCancerData.Rows.Where((row, i) => reference.Predict(row) == BreastCancerData.Targets[i]).Count();

        Assert.Equal(metadata.RootElement.GetProperty("training_accuracy").GetDouble(), Math.Round((double)correct / BreastCancerData.Rows.Length, 6), 3);
    }

    [Fact]
    public void A_new_version_gets_the_next_sequence()
    {
        var out1 = Build(Path.Combine(_temp, "seq", "breast-cancer"), "--epochs", "200");
        var out2 = Build(Path.Combine(_temp, "seq", "breast-cancer"), "--epochs", "200", "--l2", "0.5");

        Assert.NotEqual(Path.GetFileName(out1), Path.GetFileName(out2));
        Assert.Equal(1, Sequence(out1));
        Assert.Equal(2, Sequence(out2));
    }

    [Theory]
    [InlineData(2, "--out", "x")]
    [InlineData(2, "--data", "x.csv")]
    [InlineData(2, "--data", "x.csv", "--out", "y", "--bogus", "1")]
    [InlineData(2, "--data", "x.csv", "--out", "y", "--folds", "1")]
    [InlineData(2, "--data", "x.csv", "--out", "y", "--l2", "-1")]
    [InlineData(2, "--data", "x.csv", "--out", "y", "--epochs")]
    [InlineData(1, "--data", "missing.csv", "--out", "y")]
    public void Bad_arguments_fail_with_an_exit_code(int exitCode, params string[] args)
    {
        Assert.Equal(exitCode, ClassifierCommand.Run(args.Select(a => a == "y" ? Path.Combine(_temp, "y") : a).ToArray()));
    }

    [Fact]
    public void A_malformed_csv_row_fails()
    {
        var csv = Path.Combine(_temp, "bad.csv");
        var lines = File.ReadAllLines(BreastCancerData.CsvPath);
        lines[3] = lines[3].Replace(lines[3].Split(',')[2], "abc", StringComparison.Ordinal);
        File.WriteAllLines(csv, lines);
        File.Copy(Path.ChangeExtension(BreastCancerData.CsvPath, ".features.txt"), Path.ChangeExtension(csv, ".features.txt"));

        Assert.Equal(1, ClassifierCommand.Run(["--data", csv, "--out", Path.Combine(_temp, "bad-out")]));
        Assert.False(Directory.Exists(Path.Combine(_temp, "bad-out")));
    }

    private static string Build(string outPath, params string[] extra)
    {
        string[] args = ["--data", BreastCancerData.CsvPath, "--out", outPath, .. extra];
        Assert.Equal(0, ClassifierCommand.Run(args));
        return Directory.GetDirectories(outPath).OrderByDescending(d => Directory.GetLastWriteTimeUtc(d)).ThenBy(d => d, StringComparer.Ordinal)
            .Single(d => File.ReadAllText(Path.Combine(d, "metadata.json")).Contains(string.Join(' ', extra), StringComparison.Ordinal));
    }

    private static long Sequence(string folder)
    {
        using var metadata = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "metadata.json")));
        return metadata.RootElement.GetProperty("sequence").GetInt64();
    }
}
