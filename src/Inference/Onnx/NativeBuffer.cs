using System.Runtime.InteropServices;

namespace Chat.Inference.Onnx;

/// <summary>
/// 64-byte aligned native memory that ONNX Runtime reads from or writes into directly. Growing
/// replaces the block without copying: every user rewrites its buffer completely before a run
/// (ONNX Runtime writes each present KV tensor in full, inputs are refilled each step).
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private const int Alignment = 64;

    public nint Pointer { get; private set; }

    public long CapacityBytes { get; private set; }

    /// <summary>Makes room for <paramref name="bytes"/>; returns true when the block moved.</summary>
    public bool EnsureCapacity(long bytes)
    {
        if (bytes <= CapacityBytes)
        {
            return false;
        }

        var capacity = Math.Max(bytes, CapacityBytes * 2);
        var block = (nint)NativeMemory.AlignedAlloc((nuint)capacity, Alignment);
        Free();
        Pointer = block;
        CapacityBytes = capacity;
        return true;
    }

    public Span<T> AsSpan<T>(int count)
        where T : unmanaged
    {
        return new Span<T>((void*)Pointer, count);
    }

    public void Dispose() => Free();

    private void Free()
    {
        if (Pointer != 0)
        {
            NativeMemory.AlignedFree((void*)Pointer);
            Pointer = 0;
            CapacityBytes = 0;
        }
    }
}
