using System.Diagnostics;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// Picks the training precision of the projections on the CPU at hand. bfloat16 projections are a
/// large win only where the CPU multiplies bfloat16 natively (AVX-512 BF16 or AMX): on a Zen 4 EPYC
/// the shipped recipe trained at ~17.5k tokens/s with them, while on a Zen 2 EPYC (AVX2 only) the
/// same steps ran at ~840 tokens/s against ~9.8k in float32. <c>auto</c> times one projection-shaped
/// multiply (forward and backward) each way and keeps bfloat16 only when it is clearly faster.
/// </summary>
public static class ProjectionPrecision
{
    /// <summary>bfloat16 must beat float32 by this factor: a tie keeps the exact float32 math.</summary>
    public const double RequiredSpeedup = 1.2;

    /// <summary>Parses <c>auto</c>, <c>bfloat16</c> or <c>float32</c>; null means auto.</summary>
    public static bool? Parse(string text) => text switch
    {
        "auto" => null,
        "bfloat16" or "bf16" => true,
        "float32" or "fp32" => false,
        _ => throw new ArgumentException($"--precision expects auto, bfloat16 or float32, got '{text}'."),
    };

    /// <summary>Whether measured per-multiply times favour bfloat16 (pure, so the rule is testable apart from the clock).</summary>
    public static bool PreferBFloat16(TimeSpan bfloat16, TimeSpan float32) =>
        bfloat16 > TimeSpan.Zero && float32.TotalSeconds >= bfloat16.TotalSeconds * RequiredSpeedup;

    /// <summary>
    /// Fastest time of x [rows, hidden] @ w [hidden, width] with its backward, in float32 and in bfloat16
    /// as <see cref="Model.DecoderBlock"/> does it (operands rounded, float32 result). The two are timed
    /// in turn, pass after pass, and each keeps its fastest pass: a single pass of a few milliseconds
    /// swings by 2-4 times on a shared 2-core VM (one probe here read float32 at 11.6 ms, another at
    /// 2.5 ms, on the same CPU), and timing one precision after the other let a slow spell land on one
    /// side only and pick bfloat16 where float32 trains faster.
    /// </summary>
    public static (TimeSpan BFloat16, TimeSpan Float32) Measure(int rows = 3072, int hidden = 128, int width = 384, int repeats = 15)
    {
        using var scope = NewDisposeScope();
        var x = randn(rows, hidden);
        var w = randn(hidden, width).requires_grad_(true);
        var bfloat16 = TimeSpan.MaxValue;
        var float32 = TimeSpan.MaxValue;
        for (var i = 0; i <= repeats; i++)
        {
            var b = Time(() => x.to(ScalarType.BFloat16).matmul(w.to(ScalarType.BFloat16)).to(ScalarType.Float32), w);
            var f = Time(() => x.matmul(w), w);
            if (i > 0) // the first pass warms up the kernels
            {
                bfloat16 = b < bfloat16 ? b : bfloat16;
                float32 = f < float32 ? f : float32;
            }
        }

        return (bfloat16, float32);
    }

    private static TimeSpan Time(Func<Tensor> multiply, Tensor weight)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        multiply().sum().backward();
        clock.Stop();
        weight.grad?.zero_();
        return clock.Elapsed;
    }
}
