using Chat.ModelBuilder.Decoder;
using Microsoft.ML.OnnxRuntime;

namespace Chat.ModelTrainer.Tests;

/// <summary>Runs an exported model.onnx one call at a time, each call's present.* becoming the next call's past.</summary>
internal sealed class OrtStepper : IDisposable
{
    private readonly InferenceSession _session;
    private readonly DecoderSpec _spec;
    private readonly int _batch;
    private OrtValue[] _past;

    public OrtStepper(string modelDirectory, DecoderSpec spec, int batch)
    {
        _session = new InferenceSession(Path.Combine(modelDirectory, DecoderModelWriter.ModelFileName));
        _spec = spec;
        _batch = batch;
        _past = Enumerable.Range(0, 2 * spec.Layers)
            .Select(_ => OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [batch, spec.KvHeads, 0, spec.HeadSize]))
            .ToArray();
    }

    /// <summary>Feeds ids [batch, seq] with the mask over everything so far; returns logits [batch, seq, vocab] row-major.</summary>
    public float[] Step(long[] ids, long[] attentionMask, long[] positions)
    {
        var sequence = ids.Length / _batch;
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = OrtValue.CreateTensorValueFromMemory(ids, [_batch, sequence]),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(attentionMask, [_batch, attentionMask.Length / _batch]),
            ["position_ids"] = OrtValue.CreateTensorValueFromMemory(positions, [_batch, sequence]),
        };
        for (var layer = 0; layer < _spec.Layers; layer++)
        {
            inputs[$"past_key_values.{layer}.key"] = _past[2 * layer];
            inputs[$"past_key_values.{layer}.value"] = _past[(2 * layer) + 1];
        }

        var outputNames = new List<string> { "logits" };
        for (var layer = 0; layer < _spec.Layers; layer++)
        {
            outputNames.Add($"present.{layer}.key");
            outputNames.Add($"present.{layer}.value");
        }

        using var runOptions = new RunOptions();
        var outputs = _session.Run(runOptions, inputs.Keys.ToList(), inputs.Values.ToList(), outputNames);
        foreach (var input in inputs.Values)
        {
            input.Dispose();
        }

        var logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        outputs[0].Dispose();
        _past = outputs.Skip(1).ToArray();
        return logits;
    }

    public void Dispose()
    {
        foreach (var value in _past)
        {
            value.Dispose();
        }

        _session.Dispose();
    }
}
