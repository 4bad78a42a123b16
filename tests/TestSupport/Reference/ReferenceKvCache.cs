namespace Chat.TestSupport.Reference;

/// <summary>
/// Keys and values per layer and batch row, one [kv_heads * head_size] vector per cache position
/// (rotary already applied to keys), the layout of the ONNX present tensors slot for slot.
/// </summary>
public sealed class ReferenceKvCache
{
    private readonly List<float[]>[,] _keys;
    private readonly List<float[]>[,] _values;

    public ReferenceKvCache(int layers, int batch)
    {
        Batch = batch;
        _keys = new List<float[]>[layers, batch];
        _values = new List<float[]>[layers, batch];
        for (var l = 0; l < layers; l++)
        {
            for (var b = 0; b < batch; b++)
            {
                _keys[l, b] = [];
                _values[l, b] = [];
            }
        }
    }

    public int Batch { get; }

    /// <summary>Cache positions of row 0 (all rows grow together, padded or not).</summary>
    public int Length => _keys[0, 0].Count;

    public List<float[]> Keys(int layer, int row) => _keys[layer, row];

    public List<float[]> Values(int layer, int row) => _values[layer, row];
}
