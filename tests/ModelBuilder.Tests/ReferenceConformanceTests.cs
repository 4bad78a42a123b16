using System.Text.Json;
using Chat.ModelBuilder.Decoder;
using Chat.ModelBuilder.Onnx;
using Chat.TestSupport;
using Chat.TestSupport.Models;

namespace Chat.ModelBuilder.Tests;

/// <summary>Our folders against the reference onnxruntime-genai builder's tiny Llama export.</summary>
public sealed class ReferenceConformanceTests
{
    private static string FixtureFolder => Path.Combine(RepositoryPaths.GenAiFixtures!, "tiny-random-llama-fp16");

    [GenAiFixtureFact]
    public void Genai_config_has_every_key_the_reference_builder_writes()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureFolder, "genai_config.json")));
        using var ours = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestModels.Tiny(DecoderGraphStyle.Contrib).Directory, "genai_config.json")));

        var missing = Paths(reference.RootElement, "").Except(Paths(ours.RootElement, "")).ToArray();

        Assert.Empty(missing);
        var inputs = ours.RootElement.GetProperty("model").GetProperty("decoder").GetProperty("inputs");
        var referenceInputs = reference.RootElement.GetProperty("model").GetProperty("decoder").GetProperty("inputs");
        Assert.Equal(referenceInputs.ToString(), inputs.ToString());
    }

    [GenAiFixtureFact]
    public void Contrib_graph_uses_the_reference_fused_operators_with_the_same_attributes_and_opsets()
    {
        var reference = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(FixtureFolder, "model.onnx")));
        var spec = DecoderPresets.Tiny with { KvHeads = DecoderPresets.Tiny.Heads, Graph = DecoderGraphStyle.Contrib };
        var ours = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(TestModels.Build(spec).Directory, "model.onnx")));

        Assert.Equal(Opsets(reference), Opsets(ours));
        string[] fused = ["SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization", "RotaryEmbedding", "MultiHeadAttention"];
        foreach (var op in fused)
        {
            var expected = reference.Graph.Node.First(n => n.OpType == op);
            var actual = ours.Graph.Node.First(n => n.OpType == op);
            Assert.Equal(expected.Domain, actual.Domain);
            Assert.Equal(expected.Input.Count, actual.Input.Count);
            Assert.Equal(expected.Attribute.Select(a => a.Name).Order(), actual.Attribute.Select(a => a.Name).Order());
        }

        var ourInputs = ours.Graph.Input.Select(i => i.Name).ToArray();
        Assert.Equal(reference.Graph.Input.Take(3).Select(i => i.Name), ourInputs.Take(3));
        Assert.Equal(reference.Graph.Initializer.Select(i => i.Name).Where(n => n.StartsWith("model.layers.0.", StringComparison.Ordinal)).Order(),
            ours.Graph.Initializer.Select(i => i.Name).Where(n => n.StartsWith("model.layers.0.", StringComparison.Ordinal)).Order());
    }

    private static string[] Opsets(ModelProto model) =>
        model.OpsetImport.Select(o => $"{o.Domain}:{o.Version}").Order(StringComparer.Ordinal).ToArray();

    private static IEnumerable<string> Paths(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (var property in element.EnumerateObject())
        {
            var path = prefix + "/" + property.Name;
            yield return path;
            foreach (var child in Paths(property.Value, path))
            {
                yield return child;
            }
        }
    }
}
