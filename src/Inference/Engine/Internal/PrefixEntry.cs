using Chat.Inference.Onnx;

namespace Chat.Inference.Engine.Internal;

/// <summary>A finished sequence's keys and values (a batch-1, unpadded cache) and the token ids they were computed for.</summary>
internal sealed class PrefixEntry(int[] tokens, KvCache cache)
{
    public int[] Tokens { get; } = tokens;

    public KvCache Cache { get; } = cache;

    /// <summary>Native memory the entry holds (fixed once stored).</summary>
    public long Bytes { get; } = cache.AllocatedBytes;
}
