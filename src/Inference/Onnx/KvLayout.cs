namespace Chat.Inference.Onnx;

/// <summary>
/// Shape of one KV tensor: batch x heads x seq x head_size, or gpt2's combined
/// 2 x batch x heads x seq x head_size.
/// </summary>
internal readonly record struct KvLayout(bool Combined, int Heads, int HeadSize, int ElementSize)
{
    public int Rank => Combined ? 5 : 4;

    public long Bytes(int batch, int length) => (Combined ? 2L : 1L) * batch * Heads * length * HeadSize * ElementSize;

    public void WriteShape(Span<long> shape, int batch, int length)
    {
        if (Combined)
        {
            shape[0] = 2;
            shape[1] = batch;
            shape[2] = Heads;
            shape[3] = length;
            shape[4] = HeadSize;
        }
        else
        {
            shape[0] = batch;
            shape[1] = Heads;
            shape[2] = length;
            shape[3] = HeadSize;
        }
    }
}
