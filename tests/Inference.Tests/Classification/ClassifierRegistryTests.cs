using Chat.Inference.Classification;
using Chat.ModelBuilder.Classifier;
using Chat.TestSupport.Classification;

namespace Chat.Inference.Tests.Classification;

public sealed class ClassifierRegistryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("classifier-registry-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_version_added_later_becomes_the_default_while_the_first_stays_selectable()
    {
        var first = ClassifierModelTests.CopyCommitted(_root);
        using var registry = new ClassifierRegistry(_root);
        var initial = registry.Refresh();
        Assert.Single(initial.Loaded);
        Assert.Empty(initial.Failures);
        Assert.True(registry.TryGet(BreastCancerData.ModelName, null, out var before));
        Assert.Equal(Path.GetFileName(first), before.Version);

        Assert.Equal(0, ClassifierCommand.Run(["--data", BreastCancerData.CsvPath, "--out", Path.Combine(_root, BreastCancerData.ModelName), "--epochs", "300", "--l2", "0.2"]));
        var added = registry.Refresh();

        var second = Assert.Single(added.Loaded);
        Assert.Equal(2, second.Metadata.Sequence);
        Assert.True(registry.TryGet(BreastCancerData.ModelName, null, out var newest));
        Assert.Same(second, newest);
        Assert.True(registry.TryGet(BreastCancerData.ModelName, Path.GetFileName(first), out var old));
        Assert.Same(before, old);
        Assert.Equal([second.Version, before.Version], registry.Versions(BreastCancerData.ModelName).Select(m => m.Version));
        Assert.False(registry.TryGet(BreastCancerData.ModelName, "0000deadbeef", out _));
        Assert.False(registry.TryGet("no-such-model", null, out _));
        Assert.Empty(registry.Refresh().Loaded);
    }

    [Fact]
    public void A_broken_folder_is_reported_once_and_does_not_hide_the_good_ones()
    {
        ClassifierModelTests.CopyCommitted(_root);
        var broken = Path.Combine(_root, BreastCancerData.ModelName, "abcdefabcdef");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "model.onnx"), "not a model");
        using var registry = new ClassifierRegistry(_root);

        var result = registry.Refresh();

        Assert.Single(result.Loaded);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(broken, failure.Folder);
        Assert.Contains("metadata.json", failure.Reason, StringComparison.Ordinal);
        Assert.Empty(registry.Refresh().Failures);
    }

    [Fact]
    public void A_missing_root_is_an_error_naming_the_folder()
    {
        using var registry = new ClassifierRegistry(Path.Combine(_root, "absent"));

        var error = Assert.Throws<DirectoryNotFoundException>(() => registry.Refresh());

        Assert.Contains("absent", error.Message, StringComparison.Ordinal);
    }
}
