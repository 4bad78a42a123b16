using static TorchSharp.torch;

namespace Chat.ModelTrainer.Model;

/// <summary>
/// Keys (rotated) and values per layer, [B, kv_heads, length, head_size], as the ONNX graph's present.*
/// outputs hold them; <see cref="ChatDecoder.Forward"/> appends each step's entries.
/// </summary>
public sealed class KvCache(int layers) : IDisposable
{
    private readonly Tensor?[] _keys = new Tensor?[layers];
    private readonly Tensor?[] _values = new Tensor?[layers];

    /// <summary>Positions held so far.</summary>
    public long Length => _keys[0]?.shape[2] ?? 0;

    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var (oldKeys, oldValues) = (_keys[layer], _values[layer]);
        var allKeys = oldKeys is null ? keys.alias() : cat([oldKeys, keys], 2);
        var allValues = oldValues is null ? values.alias() : cat([oldValues, values], 2);
        _keys[layer] = allKeys.DetachFromDisposeScope();
        _values[layer] = allValues.DetachFromDisposeScope();
        oldKeys?.Dispose();
        oldValues?.Dispose();
        return (allKeys, allValues);
    }

    public void Dispose()
    {
        foreach (var tensor in _keys.Concat(_values))
        {
            tensor?.Dispose();
        }
    }
}
