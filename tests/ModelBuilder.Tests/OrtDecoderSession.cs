using Chat.ModelBuilder.Decoder;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.ModelBuilder.Tests;

/// <summary>Drives a built model.onnx step by step, feeding each step's present.* back as the next past.</summary>
internal sealed class OrtDecoderSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly DecoderSpec _spec;
    private DenseTensor<float>[] _past;

    public OrtDecoderSession(string directory, DecoderSpec spec, int batch)
    {
        _session = new InferenceSession(Path.Combine(directory, DecoderModelWriter.ModelFileName));
        _spec = spec;
        _past = Enumerable.Range(0, 2 * spec.Layers)
            .Select(_ => new DenseTensor<float>([batch, spec.KvHeads, 0, spec.HeadSize]))
            .ToArray();
        Batch = batch;
    }

    public int Batch { get; }

    /// <summary>Cache length after the steps so far.</summary>
    public int PastLength => _past[0].Dimensions[2];

    public IReadOnlyList<DenseTensor<float>> Present => _past;

    /// <summary>Runs [batch, seq] tokens; returns logits [batch, seq, vocab] row-major.</summary>
    public float[] Step(long[] inputIds, long[] attentionMask, long[] positionIds)
    {
        var sequence = inputIds.Length / Batch;
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(inputIds, [Batch, sequence])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(attentionMask, [Batch, attentionMask.Length / Batch])),
            NamedOnnxValue.CreateFromTensor("position_ids", new DenseTensor<long>(positionIds, [Batch, sequence])),
        };
        for (var l = 0; l < _spec.Layers; l++)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor($"past_key_values.{l}.key", _past[2 * l]));
            inputs.Add(NamedOnnxValue.CreateFromTensor($"past_key_values.{l}.value", _past[(2 * l) + 1]));
        }

        using var results = _session.Run(inputs);
        var byName = results.ToDictionary(r => r.Name, r => r.AsTensor<float>());
        var next = new DenseTensor<float>[2 * _spec.Layers];
        for (var l = 0; l < _spec.Layers; l++)
        {
            next[2 * l] = Copy(byName[$"present.{l}.key"]);
            next[(2 * l) + 1] = Copy(byName[$"present.{l}.value"]);
        }

        _past = next;
        return byName["logits"].ToArray();
    }

    public void Dispose() => _session.Dispose();

    private static DenseTensor<float> Copy(Tensor<float> tensor) => new(tensor.ToArray(), tensor.Dimensions.ToArray());
}
