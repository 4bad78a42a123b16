namespace Chat.ModelBuilder.Decoder;

/// <summary>Named decoder shapes for tests, the default model and throughput work.</summary>
public static class DecoderPresets
{
    public static IReadOnlyList<string> Names { get; } = ["tiny", "small", "bench"];

    /// <summary>About 90K parameters (well under 1 MB): the shape unit and integration tests run.</summary>
    public static DecoderSpec Tiny { get; } = new(
        Layers: 2, Hidden: 64, Heads: 4, KvHeads: 2, Intermediate: 128, Vocab: null, Context: 256);

    /// <summary>
    /// The llama2.c stories15M shape: 6 layers, dim 288, 6 heads, hidden 768, vocab 32000, tied:
    /// 15.2M parameters. The tokenizer fills the ids its merges do not reach with reserved specials.
    /// </summary>
    public static DecoderSpec Small { get; } = new(
        Layers: 6, Hidden: 288, Heads: 6, KvHeads: 6, Intermediate: 768, Vocab: 32000, Context: 1024);

    /// <summary>12 layers, dim 768, 12 heads over 4 KV heads, hidden 2048, vocab 32000, tied: 100.1M parameters.</summary>
    public static DecoderSpec Bench { get; } = new(
        Layers: 12, Hidden: 768, Heads: 12, KvHeads: 4, Intermediate: 2048, Vocab: 32000, Context: 2048);

    public static DecoderSpec Get(string name) => name switch
    {
        "tiny" => Tiny,
        "small" => Small,
        "bench" => Bench,
        _ => throw new ArgumentException($"unknown preset '{name}' (known: {string.Join(", ", Names)})."),
    };
}
