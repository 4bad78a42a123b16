using System.Globalization;
using Chat.ModelBuilder.Decoder;
using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Model;
using Chat.ModelTrainer.Training;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Tests;

/// <summary>
/// A tiny decoder trained 100 steps on the skills corpus: the loss falls, and the exported ONNX model
/// (both graph styles) gives TorchSharp's logits for a prefill and for incremental steps on the KV cache.
/// </summary>
public sealed class TrainerSmokeTests : IClassFixture<TrainerSmokeTests.TrainedRun>
{
    private const float Tolerance = 1e-4f;
    private readonly TrainedRun _run;

    public TrainerSmokeTests(TrainedRun run) => _run = run;

    [Fact]
    public void LossFallsWithin100Steps()
    {
        Assert.Equal(100, _run.State.Step);
        var losses = File.ReadAllLines(Path.Combine(_run.Directory, TrainingHistory.CsvName)).Skip(1)
            .Select(row => double.Parse(row.Split(',')[3], CultureInfo.InvariantCulture))
            .ToArray();
        Assert.Equal(100, losses.Length);
        var first = losses.Take(5).Average();
        var last = losses.TakeLast(5).Average();
        Assert.True(last < 0.75 * first, $"loss went from {first:0.000} to {last:0.000}");
        Assert.True(File.Exists(Path.Combine(_run.Directory, TrainingHistory.PlotName)));
    }

    [Theory]
    [InlineData(DecoderGraphStyle.Contrib)]
    [InlineData(DecoderGraphStyle.Standard)]
    public void ExportedModelMatchesTorchSharpForPrefillAndIncrementalSteps(DecoderGraphStyle graph)
    {
        var format = new ChatFormat();
        var (trained, _) = Checkpoint.LoadModel(_run.Directory, format);
        using var model = ChatDecoder.FromWeights(trained.Spec with { Graph = graph }, trained.ToWeights(), format.Vocab);
        trained.Dispose();
        var folder = Path.Combine(_run.Directory, "export-" + graph);
        Exporter.Export(model, folder);

        // Two rows, the shorter left-padded, as a batched engine feeds them.
        var prompts = new[]
        {
            format.EncodePrompt([ChatMessage.User("What is 12 + 30?")]),
            format.EncodePrompt([ChatMessage.User("Hi")]),
        };
        var continuation = new long[][] { [49, 50, 32], [72, 101, 108] };
        var width = prompts.Max(p => p.Count);
        var total = width + continuation[0].Length;
        var ids = new long[2 * total];
        var positions = new long[2 * total];
        var mask = new long[2 * total];
        for (var r = 0; r < 2; r++)
        {
            var pad = width - prompts[r].Count;
            var sequence = prompts[r].Concat(continuation[r]).ToArray();
            for (var t = pad; t < total; t++)
            {
                ids[(r * total) + t] = sequence[t - pad];
                positions[(r * total) + t] = t - pad;
                mask[(r * total) + t] = 1;
            }
        }

        var expected = TorchLogits(model, ids, positions, mask, total);
        using var ort = new OrtStepper(folder, model.Spec, batch: 2);
        var prefill = ort.Step(Slice(ids, total, 0, width), Slice(mask, total, 0, width), Slice(positions, total, 0, width));
        AssertClose(expected, mask, total, prefill, 0, width, format.Vocab, "prefill");
        for (var t = width; t < total; t++)
        {
            var logits = ort.Step(Slice(ids, total, t, 1), Slice(mask, total, 0, t + 1), Slice(positions, total, t, 1));
            AssertClose(expected, mask, total, logits, t, 1, format.Vocab, $"incremental step at position {t}");
        }
    }

    private static float[] TorchLogits(ChatDecoder model, long[] ids, long[] positions, long[] mask, int total)
    {
        using var noGrad = no_grad();
        using var logits = model.Forward(tensor(ids, [2, total]), tensor(positions, [2, total]), tensor(mask.Select(m => m != 0).ToArray(), [2, total]));
        return logits.data<float>().ToArray();
    }

    private static long[] Slice(long[] values, int rowLength, int start, int length) =>
        Enumerable.Range(0, values.Length / rowLength).SelectMany(r => values.Skip((r * rowLength) + start).Take(length)).ToArray();

    /// <summary>
    /// ORT rows [2, length, vocab] against TorchSharp's [2, total, vocab] from position start. Padding
    /// positions are skipped: their logits are read by no one, and each runtime fills a fully masked
    /// attention row its own way (both finite); the real positions after them must still agree.
    /// </summary>
    private static void AssertClose(float[] expected, long[] mask, int total, float[] actual, int start, int length, int vocab, string what)
    {
        var compared = 0;
        for (var r = 0; r < 2; r++)
        {
            for (var t = 0; t < length; t++)
            {
                if (mask[(r * total) + start + t] == 0)
                {
                    continue;
                }

                compared++;
                for (var v = 0; v < vocab; v++)
                {
                    var want = expected[(((r * total) + start + t) * vocab) + v];
                    var got = actual[(((r * length) + t) * vocab) + v];
                    if (Math.Abs(want - got) > Tolerance)
                    {
                        Assert.Fail($"{what}: row {r}, position {start + t}, id {v}: TorchSharp {want}, ONNX Runtime {got}");
                    }
                }
            }
        }

        Assert.True(compared > 0, $"{what}: no real position compared");
    }

    /// <summary>One 100-step run shared by the tests (the costly part).</summary>
    public sealed class TrainedRun : IDisposable
    {
        public TrainedRun()
        {
            TorchSharpNative.EnsureLoaded();
            Directory = System.IO.Directory.CreateTempSubdirectory("trainer-smoke-").FullName;
            var options = new TrainingOptions
            {
                OutDirectory = Directory,
                // The default model's rotary theta, so parity covers the tables the shipped model is built with.
                Spec = new DecoderSpec(Layers: 2, Hidden: 32, Heads: 4, KvHeads: 2, Intermediate: 64, Vocab: null, Context: 128, Seed: 7,
                    RopeTheta: TrainingOptions.DefaultSpec.RopeTheta),
                Steps = 100,
                Rows = 4,
                RowLength = 128,
                WarmupSteps = 10,
                ProgressInterval = TimeSpan.Zero,
                ProgressEvalPerSkill = 1,
            };
            State = new Trainer(options, TextWriter.Null).Run();
        }

        public string Directory { get; }

        public TrainingState State { get; }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
