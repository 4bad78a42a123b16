using System.Globalization;

namespace Chat.ModelBuilder.Decoder;

/// <summary>
/// <c>decoder --out DIR [--preset tiny|small|bench] [shape flags]</c>: flags override the preset
/// (tiny when none is named).
/// </summary>
public static class DecoderCommand
{
    private const string Usage =
        "usage: ModelBuilder decoder --out DIR [--preset tiny|small|bench] [--layers N] [--hidden N] [--heads N]\n"
        + "         [--kv-heads N] [--intermediate N] [--vocab N] [--context N] [--seed N] [--tied|--untied]\n"
        + "         [--graph standard|contrib] [--corpus FILE]";

    public static int Run(string[] args)
    {
        DecoderSpec spec;
        string output;
        try
        {
            (spec, output) = Parse(args);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine("decoder: " + error.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        try
        {
            var result = DecoderModelWriter.Write(spec, output);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {Path.GetFullPath(output)}: {result.ParameterCount:N0} parameters, vocab {result.Vocab}, {spec.Layers} layers, "
                + $"hidden {spec.Hidden}, heads {spec.Heads}/{spec.KvHeads}, {spec.Graph.ToString().ToLowerInvariant()} graph"));
            return 0;
        }
        catch (Exception error) when (error is ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("decoder: " + error.Message);
            return 1;
        }
    }

    /// <summary>Parses the verb's flags; throws ArgumentException naming the offending flag.</summary>
    public static (DecoderSpec Spec, string Output) Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool? tied = null;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            switch (flag)
            {
                case "--tied":
                case "--untied":
                    tied = flag == "--tied";
                    continue;
                case "--out" or "--preset" or "--layers" or "--hidden" or "--heads" or "--kv-heads" or "--intermediate"
                    or "--vocab" or "--context" or "--seed" or "--graph" or "--corpus":
                    if (i + 1 >= args.Count)
                    {
                        throw new ArgumentException($"{flag} needs a value.");
                    }

                    values[flag] = args[++i];
                    continue;
                default:
                    throw new ArgumentException($"unknown option '{flag}'.");
            }
        }

        if (!values.TryGetValue("--out", out var output))
        {
            throw new ArgumentException("--out DIR is required.");
        }

        var spec = DecoderPresets.Get(values.GetValueOrDefault("--preset", "tiny"));
        spec = spec with
        {
            Layers = Int(values, "--layers") ?? spec.Layers,
            Hidden = Int(values, "--hidden") ?? spec.Hidden,
            Heads = Int(values, "--heads") ?? spec.Heads,
            KvHeads = Int(values, "--kv-heads") ?? spec.KvHeads,
            Intermediate = Int(values, "--intermediate") ?? spec.Intermediate,
            Vocab = Int(values, "--vocab") ?? spec.Vocab,
            Context = Int(values, "--context") ?? spec.Context,
            Seed = values.TryGetValue("--seed", out var seed) ? ParseSeed(seed) : spec.Seed,
            Tied = tied ?? spec.Tied,
            Graph = values.TryGetValue("--graph", out var graph) ? ParseGraph(graph) : spec.Graph,
            CorpusPath = values.GetValueOrDefault("--corpus") ?? spec.CorpusPath,
        };
        spec.Validate();
        return (spec, output);
    }

    private static int? Int(Dictionary<string, string> values, string flag)
    {
        if (!values.TryGetValue(flag, out var text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{flag} expects a non-negative integer, got '{text}'.");
    }

    private static ulong ParseSeed(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"--seed expects a non-negative integer, got '{text}'.");

    private static DecoderGraphStyle ParseGraph(string text) => text switch
    {
        "standard" => DecoderGraphStyle.Standard,
        "contrib" => DecoderGraphStyle.Contrib,
        _ => throw new ArgumentException($"--graph expects 'standard' or 'contrib', got '{text}'."),
    };
}
