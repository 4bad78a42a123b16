namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>
/// cos/sin of position * theta^(-2i/head_size), i &lt; head_size/2: the non-interleaved (rotate-half)
/// rotary tables of Hugging Face Llama, computed in double so both graph styles share exact values.
/// </summary>
internal static class RotaryTables
{
    /// <summary>Row-major [context, head_size/2] tables (the RotaryEmbedding contrib op layout).</summary>
    public static (float[] Cos, float[] Sin) Half(int context, int headSize, float theta)
    {
        var half = headSize / 2;
        var cos = new float[context * half];
        var sin = new float[context * half];
        for (var position = 0; position < context; position++)
        {
            for (var i = 0; i < half; i++)
            {
                var angle = position * Math.Pow(theta, -2.0 * i / headSize);
                cos[(position * half) + i] = (float)Math.Cos(angle);
                sin[(position * half) + i] = (float)Math.Sin(angle);
            }
        }

        return (cos, sin);
    }

    /// <summary>[context, head_size] tables with each half repeated, so the standard graph multiplies without a Concat.</summary>
    public static float[] Full(float[] half, int context, int headSize)
    {
        var width = headSize / 2;
        var full = new float[context * headSize];
        for (var position = 0; position < context; position++)
        {
            var row = half.AsSpan(position * width, width);
            row.CopyTo(full.AsSpan(position * headSize, width));
            row.CopyTo(full.AsSpan((position * headSize) + width, width));
        }

        return full;
    }
}
