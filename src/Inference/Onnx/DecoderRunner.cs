using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.Inference.Onnx;

/// <summary>
/// Runs one forward pass of the decoder for a <see cref="KvCache"/>: new tokens in, last-position
/// logits (as float) out, presents written into the cache's buffers. Input and output buffers are
/// reused across steps, so a decode step allocates only the OrtValue views of tensors whose shape
/// changed (the mask and the presents). Attention mask and position ids follow onnxruntime-genai:
/// left-padding positions have mask 0 and position 0, real tokens count positions from 0 at the
/// first real token, and each step appends a 1 to the mask. One deliberate difference: the reference
/// finds padding by comparing ids with pad_token_id, so a real prompt token equal to the pad id
/// (gpt2 uses one id for bos, eos and pad) would be masked too; here padding is positional, because
/// the engine knows where it padded. Not thread-safe: the scheduler's loop thread owns one runner.
/// </summary>
internal sealed class DecoderRunner : IDisposable
{
    private readonly DecoderModel _model;
    private readonly BoundTensor _inputIds;
    private readonly BoundTensor _mask;
    private readonly BoundTensor _positions;
    private readonly BoundTensor _logits;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputValues;
    private readonly OrtValue[] _outputValues;
    private readonly int _pastOffset;
    private readonly long[] _shape2 = new long[2];
    private readonly long[] _shape3 = new long[3];

    public DecoderRunner(DecoderModel model)
    {
        _model = model;
        _inputIds = new BoundTensor(model.IdType, DecoderModel.ElementSize(model.IdType));
        _mask = new BoundTensor(model.MaskType, DecoderModel.ElementSize(model.MaskType));
        _positions = new BoundTensor(model.PositionType, DecoderModel.ElementSize(model.PositionType));
        _logits = new BoundTensor(model.LogitsType, DecoderModel.ElementSize(model.LogitsType));

        var names = model.Config.Decoder.Names;
        var inputNames = new List<string> { names.InputIds };
        if (model.HasAttentionMask)
        {
            inputNames.Add(names.AttentionMask);
        }

        if (model.HasPositionIds)
        {
            inputNames.Add(names.PositionIds);
        }

        _pastOffset = inputNames.Count;
        inputNames.AddRange(model.PastNames);
        _inputNames = [.. inputNames];
        _outputNames = [names.Logits, .. model.PresentNames];
        _inputValues = new OrtValue[_inputNames.Length];
        _outputValues = new OrtValue[_outputNames.Length];
    }

    public int VocabSize => _model.VocabSize;

    public KvCache CreateCache(int batch) =>
        new(_model.KvLayout, _model.KvType, _model.PastNames.Count, batch);

    /// <summary>
    /// Feeds <paramref name="tokens"/> (batch x newTokens, row-major) after what the cache holds.
    /// <paramref name="padding"/> gives each row's count of left-padding positions from the start of
    /// the cache; padded slots in <paramref name="tokens"/> carry the pad id. Writes each row's
    /// last-position logits into <paramref name="logits"/> (batch x vocab).
    /// </summary>
    public void Forward(KvCache cache, ReadOnlySpan<int> tokens, ReadOnlySpan<int> padding, Span<float> logits) =>
        Forward(cache, tokens, padding, logits, session: null);

    private void Forward(KvCache cache, ReadOnlySpan<int> tokens, ReadOnlySpan<int> padding, Span<float> logits, InferenceSession? session)
    {
        var batch = cache.Batch;
        var newTokens = tokens.Length / batch;
        var past = cache.Length;
        var total = past + newTokens;

        _shape2[0] = batch;
        _shape2[1] = newTokens;
        _inputValues[0] = _inputIds.View(_shape2);
        WriteIntegers(_inputIds, tokens);

        var next = 1;
        if (_model.HasAttentionMask)
        {
            _shape2[1] = total;
            _inputValues[next++] = _mask.View(_shape2);
            WriteMask(batch, total, padding);
        }

        if (_model.HasPositionIds)
        {
            _shape2[1] = newTokens;
            _inputValues[next] = _positions.View(_shape2);
            WritePositions(batch, past, newTokens, padding);
        }

        cache.Bind(_inputValues.AsSpan(_pastOffset), _outputValues.AsSpan(1), newTokens);
        _shape3[0] = batch;
        _shape3[1] = newTokens;
        _shape3[2] = VocabSize;
        _outputValues[0] = _logits.View(_shape3);

        session ??= _model.SessionFor(batch, newTokens);
        session.Run(_model.RunOptions, _inputNames, _inputValues, _outputNames, _outputValues);
        cache.Advance(newTokens);
        ReadLastLogits(batch, newTokens, logits);
    }

    /// <summary>
    /// Whether the graph accepts several new tokens after a non-empty past (chunked prefill). Graphs
    /// from the reference builder reshape their mask for either a first pass or one-token steps
    /// only and fail otherwise; this runs that case once (three pad tokens) to find out.
    /// </summary>
    public bool AcceptsChunkedPrefill(int padTokenId)
    {
        using var cache = CreateCache(1);
        var logits = new float[VocabSize];
        ReadOnlySpan<int> noPadding = [0];
        Forward(cache, [padTokenId], noPadding, logits);
        try
        {
            Forward(cache, [padTokenId, padTokenId], noPadding, logits);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    /// <summary>
    /// When the model has a single-token session, times one-token decode steps on it and on the main
    /// session (interleaved, after a warm-up, medians) and drops it when the main session is at least
    /// <see cref="MoreThreadsMargin"/> faster: whether fewer threads win depends on the model's size
    /// and the machine, so it is measured, not guessed; near a tie the fewer threads win, because the
    /// core they leave free serves the rest of the process (HTTP, JSON, detokenization).
    /// Returns the intra-op threads that now serve single-token calls.
    /// </summary>
    public const double MoreThreadsMargin = 1.10;

    public int KeepFasterSingleTokenSession(int padTokenId, int steps = 16)
    {
        if (_model.SingleTokenSession is not { } single)
        {
            return _model.SingleTokenThreads;
        }

        const int warmup = 3;
        steps = Math.Min(steps, (_model.Config.ContextLength - 1) / 2 - warmup);
        if (steps < 3)
        {
            return _model.SingleTokenThreads;
        }

        using var cache = CreateCache(1);
        var logits = new float[VocabSize];
        ReadOnlySpan<int> noPadding = [0];
        ReadOnlySpan<int> token = [padTokenId];
        var singleTimes = new double[steps];
        var mainTimes = new double[steps];
        for (var step = -warmup; step < steps; step++)
        {
            var start = Stopwatch.GetTimestamp();
            Forward(cache, token, noPadding, logits, single);
            var middle = Stopwatch.GetTimestamp();
            Forward(cache, token, noPadding, logits, _model.Session);
            var end = Stopwatch.GetTimestamp();
            if (step >= 0)
            {
                singleTimes[step] = middle - start;
                mainTimes[step] = end - middle;
            }
        }

        Array.Sort(singleTimes);
        Array.Sort(mainTimes);
        if (singleTimes[steps / 2] >= mainTimes[steps / 2] * MoreThreadsMargin)
        {
            _model.DropSingleTokenSession();
        }

        return _model.SingleTokenThreads;
    }

    public void Dispose()
    {
        _inputIds.Dispose();
        _mask.Dispose();
        _positions.Dispose();
        _logits.Dispose();
    }

    private static void WriteIntegers(BoundTensor tensor, ReadOnlySpan<int> values)
    {
        if (tensor.ElementType == TensorElementType.Int32)
        {
            values.CopyTo(tensor.Data<int>(values.Length));
            return;
        }

        var target = tensor.Data<long>(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            target[i] = values[i];
        }
    }

    private void WriteMask(int batch, int total, ReadOnlySpan<int> padding)
    {
        for (var row = 0; row < batch; row++)
        {
            var pad = Math.Min(padding[row], total);
            if (_mask.ElementType == TensorElementType.Int32)
            {
                var span = _mask.Data<int>((long)batch * total).Slice(row * total, total);
                span[..pad].Clear();
                span[pad..].Fill(1);
            }
            else
            {
                var span = _mask.Data<long>((long)batch * total).Slice(row * total, total);
                span[..pad].Clear();
                span[pad..].Fill(1);
            }
        }
    }

    private void WritePositions(int batch, int past, int newTokens, ReadOnlySpan<int> padding)
    {
        for (var row = 0; row < batch; row++)
        {
            for (var i = 0; i < newTokens; i++)
            {
                var position = Math.Max(past + i - padding[row], 0);
                var index = (row * newTokens) + i;
                if (_positions.ElementType == TensorElementType.Int32)
                {
                    _positions.Data<int>((long)batch * newTokens)[index] = position;
                }
                else
                {
                    _positions.Data<long>((long)batch * newTokens)[index] = position;
                }
            }
        }
    }

    private void ReadLastLogits(int batch, int newTokens, Span<float> logits)
    {
        var vocab = VocabSize;
        var count = (long)batch * newTokens * vocab;
        for (var row = 0; row < batch; row++)
        {
            var offset = ((row * newTokens) + newTokens - 1) * vocab;
            var target = logits.Slice(row * vocab, vocab);
            if (_logits.ElementType == TensorElementType.Float)
            {
                _logits.Data<float>(count).Slice(offset, vocab).CopyTo(target);
            }
            else
            {
                TensorPrimitives.ConvertToSingle(_logits.Data<Half>(count).Slice(offset, vocab), target);
            }
        }
    }
}
