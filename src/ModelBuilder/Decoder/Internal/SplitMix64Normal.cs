namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>
/// SplitMix64 uniform bits turned into normal samples with Box-Muller. Our own generator so the
/// weights a seed gives never depend on the .NET version's System.Random. Log/Cos/Sin come from the
/// platform's math library; the float rounding hides its last-bit differences in practice, and the
/// committed default model is checked against a rebuild on the CI platform (Linux x64).
/// </summary>
internal sealed class SplitMix64Normal(ulong seed)
{
    private ulong _state = seed;

    public float[] Next(int count, float std)
    {
        var values = new float[count];
        for (var i = 0; i < count; i += 2)
        {
            // 53 random bits in (0, 1]: never 0, so the logarithm stays finite.
            var u1 = ((NextBits() >> 11) + 1) * (1.0 / (1UL << 53));
            var u2 = (NextBits() >> 11) * (1.0 / (1UL << 53));
            var radius = Math.Sqrt(-2.0 * Math.Log(u1)) * std;
            var angle = 2.0 * Math.PI * u2;
            values[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < count)
            {
                values[i + 1] = (float)(radius * Math.Sin(angle));
            }
        }

        return values;
    }

    private ulong NextBits()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
