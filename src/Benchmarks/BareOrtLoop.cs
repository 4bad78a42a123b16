using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Chat.Inference.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.Benchmarks;

/// <summary>
/// The baseline: a plain InferenceSession.Run loop with the engine's session options, new input
/// tensors each step, ORT-allocated outputs, present fed back as past, greedy argmax. No scheduler,
/// no sampling settings, no detokenization.
/// </summary>
internal sealed class BareOrtLoop : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly IReadOnlyList<string> _pastNames;
    private readonly List<string> _outputNames;
    private readonly GenAiConfig _config;

    public BareOrtLoop(string folder, int intraOpThreads)
    {
        _config = GenAiConfig.Load(folder);
        using var options = Chat.Inference.Onnx.DecoderModel.CreateSessionOptions(_config.Decoder, intraOpThreads);
        _session = new InferenceSession(Path.Combine(folder, _config.Decoder.FileName), options);
        var names = _config.Decoder.Names;
        _pastNames = names.PastNamesFor(_config.Decoder.NumHiddenLayers);
        var presentNames = names.PresentNamesFor(_config.Decoder.NumHiddenLayers);
        _outputNames = [names.Logits, .. presentNames];
    }

    public BenchmarkResult Run(int[] prompt, int newTokens)
    {
        var names = _config.Decoder.Names;
        var metadata = _session.InputMetadata;
        var tokens = prompt;
        var length = 0;
        IDisposableReadOnlyCollection<OrtValue>? previous = null;
        var start = Stopwatch.GetTimestamp();
        long firstTokenAt = 0;
        long allocatedAtFirst = 0;
        try
        {
            for (var step = 0; step < newTokens; step++)
            {
                var inputNames = new List<string>();
                var inputValues = new List<OrtValue>();
                var owned = new List<OrtValue>();
                void Add(string name, OrtValue value, bool own)
                {
                    inputNames.Add(name);
                    inputValues.Add(value);
                    if (own)
                    {
                        owned.Add(value);
                    }
                }

                var total = length + tokens.Length;
                Add(names.InputIds, Integers(metadata[names.InputIds].ElementDataType, tokens.Select(t => (long)t)), true);
                if (metadata.ContainsKey(names.AttentionMask))
                {
                    Add(names.AttentionMask, Integers(metadata[names.AttentionMask].ElementDataType, Enumerable.Repeat(1L, total)), true);
                }

                if (metadata.ContainsKey(names.PositionIds))
                {
                    Add(names.PositionIds, Integers(metadata[names.PositionIds].ElementDataType, Enumerable.Range(length, tokens.Length).Select(p => (long)p)), true);
                }

                for (var i = 0; i < _pastNames.Count; i++)
                {
                    Add(_pastNames[i], previous is null ? EmptyPast(metadata[_pastNames[i]]) : previous[i + 1], previous is null);
                }

                var results = _session.Run(_runOptions, inputNames, inputValues, _outputNames);
                foreach (var value in owned)
                {
                    value.Dispose();
                }

                previous?.Dispose();
                previous = results;
                length = total;
                tokens = [Argmax(results[0])];
                if (step == 0)
                {
                    firstTokenAt = Stopwatch.GetTimestamp();
                    allocatedAtFirst = GC.GetTotalAllocatedBytes(precise: true);
                }
            }
        }
        finally
        {
            previous?.Dispose();
        }

        var decodeSeconds = Stopwatch.GetElapsedTime(firstTokenAt).TotalSeconds;
        return new BenchmarkResult(
            prompt.Length / Stopwatch.GetElapsedTime(start, firstTokenAt).TotalSeconds,
            (newTokens - 1) / decodeSeconds,
            (GC.GetTotalAllocatedBytes(precise: true) - allocatedAtFirst) / (double)(newTokens - 1));
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private static OrtValue Integers(TensorElementType type, IEnumerable<long> values)
    {
        var longs = values.ToArray();
        return type == TensorElementType.Int32
            ? OrtValue.CreateTensorValueFromMemory(longs.Select(v => (int)v).ToArray(), [1, longs.Length])
            : OrtValue.CreateTensorValueFromMemory(longs, [1, longs.Length]);
    }

    private static OrtValue EmptyPast(NodeMetadata meta)
    {
        var shape = meta.Dimensions.Select((d, i) => d > 0 ? (long)d : meta.SymbolicDimensions[i].Contains("batch", StringComparison.Ordinal) ? 1L : 0L).ToArray();
        return OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, meta.ElementDataType, shape);
    }

    private static int Argmax(OrtValue logits)
    {
        var info = logits.GetTensorTypeAndShape();
        var vocab = (int)info.Shape[^1];
        if (info.ElementDataType == TensorElementType.Float16)
        {
            var half = MemoryMarshal.Cast<Float16, Half>(logits.GetTensorDataAsSpan<Float16>())[^vocab..];
            var floats = new float[vocab];
            TensorPrimitives.ConvertToSingle(half, floats);
            return TensorPrimitives.IndexOfMax(floats);
        }

        return TensorPrimitives.IndexOfMax(logits.GetTensorDataAsSpan<float>()[^vocab..]);
    }
}
