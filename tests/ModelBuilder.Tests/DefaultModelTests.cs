using Chat.ModelBuilder.Decoder;
using Chat.TestSupport;
using Chat.TestSupport.Reference;

namespace Chat.ModelBuilder.Tests;

/// <summary>models/chat-default is exactly what scripts/build-default-model.sh builds, and it runs.</summary>
public sealed class DefaultModelTests
{
    [Fact]
    public void Committed_default_model_equals_a_rebuild_with_the_script_flags()
    {
        using var temp = new TempDirectory();
        var (spec, committed) = DecoderCommand.Parse(ScriptArguments());
        spec = spec with { CorpusPath = Path.Combine(RepositoryPaths.Root, spec.CorpusPath!) };
        committed = Path.Combine(RepositoryPaths.Root, committed);

        var build = DecoderModelWriter.Write(spec, temp.Path);

        var files = Directory.GetFiles(committed).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Directory.GetFiles(temp.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal), files);
        foreach (var file in files)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(committed, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(temp.Path, file))),
                $"models/chat-default/{file} differs from a rebuild: run scripts/build-default-model.sh and commit the result");
        }

        // The served model computes what a Llama with these weights computes.
        var reference = ReferenceDecoder.ForRandomWeights(build);
        using var ort = new OrtDecoderSession(committed, spec, batch: 1);
        long[] prompt = [build.Tokenizer.ImStartId, 300, 301, 302, build.Tokenizer.ImEndId];
        long[] mask = [1, 1, 1, 1, 1];
        long[] positions = [0, 1, 2, 3, 4];
        var expected = reference.Forward(prompt, mask, positions, reference.CreateCache(1));
        var actual = ort.Step(prompt, mask, positions);
        Assert.All(expected.Zip(actual), pair => Assert.True(MathF.Abs(pair.First - pair.Second) <= 1e-4f));
    }

    /// <summary>The flags after "decoder" in the script, continuation lines joined.</summary>
    private static string[] ScriptArguments()
    {
        var script = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "scripts", "build-default-model.sh"));
        var command = script[(script.IndexOf("-- decoder ", StringComparison.Ordinal) + "-- decoder ".Length)..];
        return command.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')[0]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
