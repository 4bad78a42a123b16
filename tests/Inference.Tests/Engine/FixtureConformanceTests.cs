using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Chat.Inference.Engine;
using Chat.Inference.Engine.Internal;
using Chat.Inference.Models;
using Chat.Inference.Onnx;
using Chat.Inference.Tests.Fakes;
using Chat.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.Inference.Tests.Engine;

/// <summary>Both reference-built fixtures: int32 ids + fp32 combined KV (gpt2), int64 ids + fp16 KV/logits with contrib ops (llama).</summary>
public sealed class FixtureConformanceTests
{
    private static readonly int[] ShortPrompt = [5, 17, 42];
    private static readonly int[] LongPrompt = [7, 300, 11, 250, 99, 3, 64];

    [GenAiFixtureFact]
    public async Task Fixtures_load_and_describe_themselves()
    {
        await using var gpt2 = Fixtures.LoadEngine(Fixtures.Gpt2);
        await using var llama = Fixtures.LoadEngine(Fixtures.Llama);

        Assert.Equal(("tiny-random-gpt2-fp32", "gpt2", 512, 1000), (gpt2.Model.Id, gpt2.Model.Type, gpt2.Model.ContextLength, gpt2.Model.VocabSize));
        Assert.Equal([98], gpt2.Model.EosTokenIds);
        Assert.Equal(("tiny-random-llama-fp16", "llama", 2048, 32000), (llama.Model.Id, llama.Model.Type, llama.Model.ContextLength, llama.Model.VocabSize));
    }

    [GenAiFixtureFact]
    public void Session_metadata_gives_element_types_and_optional_inputs()
    {
        using var gpt2 = LoadModel(Fixtures.Gpt2);
        using var llama = LoadModel(Fixtures.Llama);

        Assert.Equal((TensorElementType.Int32, TensorElementType.Float, TensorElementType.Float, true, true), (gpt2.IdType, gpt2.KvType, gpt2.LogitsType, gpt2.HasPositionIds, gpt2.KvLayout.Combined));
        Assert.Equal((TensorElementType.Int64, TensorElementType.Float16, TensorElementType.Float16, true, false), (llama.IdType, llama.KvType, llama.LogitsType, llama.HasPositionIds, llama.KvLayout.Combined));
        Assert.Equal(["past_0", "past_1", "past_2", "past_3", "past_4"], gpt2.PastNames);
        Assert.Equal(["present.0.key", "present.0.value", "present.1.key", "present.1.value"], llama.PresentNames);
    }

    [GenAiFixtureFact]
    public async Task Greedy_ids_equal_the_argmax_chain_of_full_forward_passes()
    {
        foreach (var folder in new[] { Fixtures.Gpt2, Fixtures.Llama })
        {
            await using var engine = Fixtures.LoadEngine(folder);
            var updates = await Fixtures.RunAsync(engine, new GenerationRequest { PromptTokenIds = LongPrompt, MaxNewTokens = 12, IgnoreEos = true });

            Assert.Equal(ReferenceGreedy(folder, LongPrompt, 12), Fixtures.TokenIds(updates));
            Assert.Equal(FinishReason.Length, updates[^1].FinishReason);
            Assert.Equal(12, updates[^1].Usage!.CompletionTokens);
            Assert.Equal(LongPrompt.Length, updates[^1].Usage!.PromptTokens);
        }
    }

    [GenAiFixtureFact]
    public void Left_padded_batch_rows_equal_each_prompt_alone()
    {
        foreach (var folder in new[] { Fixtures.Gpt2, Fixtures.Llama })
        {
            using var model = LoadModel(folder);
            using var runner = new DecoderRunner(model);
            var pad = model.Config.PadTokenId;

            var batch = StaticBatchGenerator.GenerateGreedy(runner, [ShortPrompt, LongPrompt], 10, pad);
            var shortAlone = StaticBatchGenerator.GenerateGreedy(runner, [ShortPrompt], 10, pad)[0];
            var longAlone = StaticBatchGenerator.GenerateGreedy(runner, [LongPrompt], 10, pad)[0];

            Assert.Equal(shortAlone, batch[0]);
            Assert.Equal(longAlone, batch[1]);
            Assert.Equal(ReferenceGreedy(folder, ShortPrompt, 10), shortAlone);
        }
    }

    [GenAiFixtureFact]
    public async Task Generation_stops_at_the_context_length()
    {
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2);
        var prompt = Enumerable.Range(1, 508).ToArray();

        var updates = await Fixtures.RunAsync(engine, new GenerationRequest { PromptTokenIds = prompt, MaxNewTokens = 100, IgnoreEos = true });

        Assert.Equal(4, updates[^1].Usage!.CompletionTokens);
        Assert.Equal(FinishReason.Length, updates[^1].FinishReason);
        Assert.Throws<ArgumentException>(() => engine.GenerateAsync(new GenerationRequest { PromptTokenIds = Enumerable.Range(1, 512).ToArray() }));
        Assert.Throws<ArgumentException>(() => engine.GenerateAsync(new GenerationRequest { PromptTokenIds = [1000] }));
    }

    private static DecoderModel LoadModel(string folder) => DecoderModel.Load(folder, GenAiConfig.Load(folder), 1);

    /// <summary>
    /// The reference chain written independently of the engine: every step reruns the whole sequence
    /// with an empty past (no KV reuse), all-ones mask and positions 0..n-1, then takes the argmax.
    /// </summary>
    private static int[] ReferenceGreedy(string folder, int[] prompt, int newTokens)
    {
        var config = GenAiConfig.Load(folder);
        using var session = new InferenceSession(Path.Combine(folder, config.Decoder.FileName));
        var tokens = prompt.ToList();
        var output = new int[newTokens];
        for (var step = 0; step < newTokens; step++)
        {
            var inputs = new Dictionary<string, OrtValue>();
            try
            {
                foreach (var (name, meta) in session.InputMetadata)
                {
                    inputs[name] = name switch
                    {
                        "input_ids" => IntTensor(meta.ElementDataType, tokens.ToArray()),
                        "attention_mask" => IntTensor(meta.ElementDataType, [.. tokens.Select(_ => 1)]),
                        "position_ids" => IntTensor(meta.ElementDataType, [.. Enumerable.Range(0, tokens.Count)]),
                        _ => EmptyPast(meta),
                    };
                }

                using var results = session.Run(new RunOptions(), inputs, ["logits"]);
                var logits = results[0];
                var vocab = (int)logits.GetTensorTypeAndShape().Shape[2];
                var last = new float[vocab];
                if (logits.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float16)
                {
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<Float16, Half>(logits.GetTensorDataAsSpan<Float16>())[^vocab..], last);
                }
                else
                {
                    logits.GetTensorDataAsSpan<float>()[^vocab..].CopyTo(last);
                }

                output[step] = TensorPrimitives.IndexOfMax(last);
                tokens.Add(output[step]);
            }
            finally
            {
                foreach (var value in inputs.Values)
                {
                    value.Dispose();
                }
            }
        }

        return output;
    }

    private static OrtValue IntTensor(TensorElementType type, int[] values) =>
        type == TensorElementType.Int32
            ? OrtValue.CreateTensorValueFromMemory(values, [1, values.Length])
            : OrtValue.CreateTensorValueFromMemory(values.Select(v => (long)v).ToArray(), [1, values.Length]);

    private static OrtValue EmptyPast(NodeMetadata meta)
    {
        // Dimensions: -1 for batch (1) and for the past length (0); fixed ones as declared.
        var shape = meta.Dimensions.Select((d, i) => d > 0 ? (long)d : meta.SymbolicDimensions[i].Contains("batch", StringComparison.Ordinal) ? 1L : 0L).ToArray();
        return OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, meta.ElementDataType, shape);
    }
}
