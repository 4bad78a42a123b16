namespace Chat.Inference.Onnx;

/// <summary>
/// One row of a <see cref="KvCache"/> to place into a regrouped batch: the sequence's keys and values
/// sit right-aligned in <paramref name="Cache"/>'s row <paramref name="Row"/> after
/// <paramref name="Padding"/> left-padding positions.
/// </summary>
internal readonly record struct KvRowSource(KvCache Cache, int Row, int Padding)
{
    /// <summary>Positions the row really holds (the cache length without its left padding).</summary>
    public int Length => Cache.Length - Padding;
}
