using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.Inference.Onnx;

/// <summary>
/// A native buffer plus the OrtValue that views it with a given shape. The OrtValue is kept while
/// the shape and the block stay the same, so fixed-shape decode inputs/outputs (ids, positions,
/// logits) are created once; a growing tensor (mask, KV) gets a new view per step, which is the one
/// object ONNX Runtime's managed API needs for a new shape.
/// </summary>
internal sealed class BoundTensor(TensorElementType elementType, int elementSize) : IDisposable
{
    private readonly NativeBuffer _buffer = new();
    private long[] _shape = [];
    private OrtValue? _value;

    public TensorElementType ElementType { get; } = elementType;

    public int ElementSize { get; } = elementSize;

    public NativeBuffer Buffer => _buffer;

    public long CapacityBytes => _buffer.CapacityBytes;

    /// <summary>Returns an OrtValue viewing the buffer with <paramref name="shape"/>, growing the buffer as needed.</summary>
    public OrtValue View(ReadOnlySpan<long> shape)
    {
        long elements = 1;
        foreach (var dim in shape)
        {
            elements *= dim;
        }

        // Even an empty tensor (past length 0) needs a valid pointer.
        var moved = _buffer.EnsureCapacity(Math.Max(elements, 1) * ElementSize);
        if (_value is not null && !moved && shape.SequenceEqual(_shape))
        {
            return _value;
        }

        _value?.Dispose();
        if (_shape.Length != shape.Length)
        {
            _shape = new long[shape.Length];
        }

        shape.CopyTo(_shape);
        _value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, ElementType, _shape, _buffer.Pointer, elements * ElementSize);
        return _value;
    }

    public Span<T> Data<T>(long count)
        where T : unmanaged
    {
        return _buffer.AsSpan<T>(checked((int)count));
    }

    /// <summary>Frees the native block and the view; the next <see cref="View"/> allocates again.</summary>
    public void Release()
    {
        _value?.Dispose();
        _value = null;
        _buffer.Dispose();
    }

    public void Dispose() => Release();
}
