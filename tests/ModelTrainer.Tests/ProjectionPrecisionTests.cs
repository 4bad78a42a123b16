using Chat.ModelTrainer.Training;

namespace Chat.ModelTrainer.Tests;

/// <summary>
/// The rule that picks bfloat16 or float32 projections for training from measured multiply times, and the
/// measurement itself (its figures are not asserted: they depend on the CPU).
/// </summary>
public sealed class ProjectionPrecisionTests
{
    public ProjectionPrecisionTests() => TorchSharpNative.EnsureLoaded();

    [Theory]
    [InlineData(189.2, 6.0, false)] // Zen 2 (AVX2): bfloat16 is emulated, ~30 times slower
    [InlineData(1.5, 6.0, true)] // native bfloat16 dot products: clearly faster
    [InlineData(5.5, 6.0, false)] // within the required speed-up: keep the exact float32 math
    [InlineData(5.0, 6.0, true)]
    [InlineData(0.0, 6.0, false)] // no measurement: never bfloat16
    public void Bfloat16_is_kept_only_when_clearly_faster(double bfloat16Ms, double float32Ms, bool expected) =>
        Assert.Equal(expected, ProjectionPrecision.PreferBFloat16(TimeSpan.FromMilliseconds(bfloat16Ms), TimeSpan.FromMilliseconds(float32Ms)));

    [Theory]
    [InlineData("auto", null)]
    [InlineData("bfloat16", true)]
    [InlineData("bf16", true)]
    [InlineData("float32", false)]
    [InlineData("fp32", false)]
    public void Parses_the_precision_flag(string text, bool? expected) => Assert.Equal(expected, ProjectionPrecision.Parse(text));

    [Fact]
    public void An_unknown_precision_is_rejected_naming_the_flag()
    {
        var error = Assert.Throws<ArgumentException>(() => ProjectionPrecision.Parse("half"));
        Assert.Contains("--precision", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Measurement_times_both_precisions()
    {
        var (bfloat16, float32) = ProjectionPrecision.Measure(rows: 64, hidden: 16, width: 32, repeats: 3);
        Assert.True(bfloat16 > TimeSpan.Zero, $"bfloat16 took {bfloat16}");
        Assert.True(float32 > TimeSpan.Zero, $"float32 took {float32}");
    }
}
