using Chat.ModelBuilder.Decoder;

namespace Chat.ModelBuilder.Tests;

public sealed class DeterminismTests
{
    [Fact]
    public void Same_spec_builds_byte_identical_folders_and_another_seed_does_not()
    {
        using var temp = new TempDirectory();
        var corpus = temp.Sub("corpus.txt");
        File.WriteAllText(corpus, TokenizerTests.Corpus);
        var spec = DecoderPresets.Tiny with { Vocab = 300, Tied = false, Graph = DecoderGraphStyle.Contrib, CorpusPath = corpus, Seed = 42 };

        DecoderModelWriter.Write(spec, temp.Sub("first"));
        DecoderModelWriter.Write(spec, temp.Sub("second"));
        DecoderModelWriter.Write(spec with { Seed = 43 }, temp.Sub("reseeded"));

        var files = Directory.GetFiles(temp.Sub("first")).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["genai_config.json", "model.onnx", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"], files);
        Assert.Equal(files, Directory.GetFiles(temp.Sub("second")).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        foreach (var file in files)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(temp.Sub("first"), file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(temp.Sub("second"), file))),
                $"{file} differs between two builds of the same spec");
        }

        Assert.False(File.ReadAllBytes(Path.Combine(temp.Sub("first"), "model.onnx")).AsSpan()
            .SequenceEqual(File.ReadAllBytes(Path.Combine(temp.Sub("reseeded"), "model.onnx"))));
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Sub("first"), "tokenizer.json")), File.ReadAllBytes(Path.Combine(temp.Sub("reseeded"), "tokenizer.json")));
    }

    [Fact]
    public void Random_weights_follow_the_requested_scale()
    {
        var spec = DecoderPresets.Tiny with { Seed = 7 };
        var weights = DecoderWeights.CreateRandom(spec, vocab: 4096);
        var values = weights.Embedding;
        var mean = values.Average(v => (double)v);
        var std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.001, 0.001);
        Assert.InRange(std, 0.0195, 0.0205);
        Assert.All(weights.Layers[0].InputNorm, v => Assert.Equal(1f, v));
    }
}
