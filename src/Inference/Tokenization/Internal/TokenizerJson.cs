using System.Text.Json;
using static Chat.Inference.Tokenization.Internal.JsonFile;

namespace Chat.Inference.Tokenization.Internal;

/// <summary>Builds a <see cref="BpeTokenizer"/> from a model folder's tokenizer files.</summary>
internal static class TokenizerJson
{
    private const string TokenizerFile = "tokenizer.json";
    private const string ConfigFile = "tokenizer_config.json";
    private const string SpecialTokensFile = "special_tokens_map.json";

    public static BpeTokenizer Load(string folder)
    {
        using var tokenizerDocument = Open(Path.Combine(folder, TokenizerFile));
        using var configDocument = Open(Path.Combine(folder, ConfigFile), required: false);
        using var specialDocument = Open(Path.Combine(folder, SpecialTokensFile), required: false);
        var root = tokenizerDocument.RootElement;
        var config = configDocument.RootElement;

        var model = ReadModel(Required(root, "model", TokenizerFile, "model"), out var vocab);
        var addedTokens = ReadAddedTokens(root);
        var size = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max() + 1, addedTokens.Count == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
        var idToToken = new string?[size];
        foreach (var (token, id) in vocab)
        {
            idToToken[id] = token;
        }

        var special = new bool[size];
        foreach (var token in addedTokens)
        {
            idToToken[token.Id] = token.Content;
            special[token.Id] = token.Special;
        }

        var addedIds = addedTokens.GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.Last().Id, StringComparer.Ordinal);
        int? Lookup(string content) => addedIds.TryGetValue(content, out var id) ? id : vocab.TryGetValue(content, out id) ? id : null;
        var bos = ResolveSpecial(Lookup, config, specialDocument.RootElement, "bos_token");
        var eos = ResolveSpecial(Lookup, config, specialDocument.RootElement, "eos_token");

        // transformers rebuilds the post-processor of Llama-style tokenizers from add_bos_token /
        // add_eos_token, so when tokenizer_config states either, it decides; otherwise tokenizer.json does.
        var (prefix, suffix) = PipelineJson.ReadPostProcessor(Optional(root, "post_processor"), "post_processor");
        var addBos = OptionalBool(config, "add_bos_token", ConfigFile, "add_bos_token");
        var addEos = OptionalBool(config, "add_eos_token", ConfigFile, "add_eos_token");
        if (addBos is not null || addEos is not null)
        {
            prefix = addBos == true ? [bos ?? throw Error(ConfigFile, "add_bos_token", "is true but no bos_token is set")] : [];
            suffix = addEos == true ? [eos ?? throw Error(ConfigFile, "add_eos_token", "is true but no eos_token is set")] : [];
        }

        return new BpeTokenizer(
            model,
            addedTokens,
            PipelineJson.ReadNormalizer(Optional(root, "normalizer"), "normalizer"),
            PipelineJson.ReadPreTokenizer(Optional(root, "pre_tokenizer"), "pre_tokenizer"),
            PipelineJson.ReadDecoder(Optional(root, "decoder"), idToToken, special),
            idToToken,
            prefix,
            suffix,
            bos,
            eos);
    }

    private static int? ResolveSpecial(Func<string, int?> lookup, JsonElement config, JsonElement specialMap, string key)
    {
        var (file, content) = OptionalTokenContent(config, key, ConfigFile) is { } fromConfig
            ? (ConfigFile, fromConfig)
            : (SpecialTokensFile, OptionalTokenContent(specialMap, key, SpecialTokensFile));
        if (content is null)
        {
            return null;
        }

        return lookup(content) ?? throw Error(file, key, $"names \"{content}\", which is neither in the vocabulary nor an added token");
    }

    private static BpeModel ReadModel(JsonElement model, out Dictionary<string, int> vocab)
    {
        var type = OptionalString(model, "type", TokenizerFile, "model.type") ?? "BPE";
        if (type != "BPE")
        {
            throw Error(TokenizerFile, "model.type", $"is \"{type}\"; only BPE models are supported");
        }

        if (Optional(model, "dropout") is { ValueKind: JsonValueKind.Number } dropout && dropout.GetDouble() > 0)
        {
            throw Error(TokenizerFile, "model.dropout", "is set; BPE dropout is a training feature and is not supported");
        }

        foreach (var key in (string[])["continuing_subword_prefix", "end_of_word_suffix"])
        {
            if (!string.IsNullOrEmpty(OptionalString(model, key, TokenizerFile, "model." + key)))
            {
                throw Error(TokenizerFile, "model." + key, "is set; subword prefixes/suffixes are not supported");
            }
        }

        var vocabElement = Required(model, "vocab", TokenizerFile, "model.vocab");
        if (vocabElement.ValueKind != JsonValueKind.Object)
        {
            throw Error(TokenizerFile, "model.vocab", "must be an object of token to id");
        }

        vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabElement.EnumerateObject())
        {
            vocab[entry.Name] = entry.Value.TryGetInt32(out var id) && id >= 0 ? id : throw Error(TokenizerFile, $"model.vocab.{entry.Name}", "must be a non-negative integer id");
        }

        return new BpeModel(
            vocab,
            ReadMerges(Required(model, "merges", TokenizerFile, "model.merges")),
            OptionalBool(model, "byte_fallback", TokenizerFile, "model.byte_fallback") ?? false,
            OptionalString(model, "unk_token", TokenizerFile, "model.unk_token"),
            OptionalBool(model, "fuse_unk", TokenizerFile, "model.fuse_unk") ?? false,
            OptionalBool(model, "ignore_merges", TokenizerFile, "model.ignore_merges") ?? false,
            TokenizerFile);
    }

    private static List<(string, string)> ReadMerges(JsonElement merges)
    {
        var result = new List<(string, string)>(merges.GetArrayLength());
        var index = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                var text = merge.GetString()!;
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space != text.LastIndexOf(' ') || space == text.Length - 1)
                {
                    throw Error(TokenizerFile, $"model.merges[{index}]", $"is \"{text}\", not two tokens separated by one space");
                }

                result.Add((text[..space], text[(space + 1)..]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                result.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw Error(TokenizerFile, $"model.merges[{index}]", "must be \"a b\" or [\"a\", \"b\"]");
            }

            index++;
        }

        return result;
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement root)
    {
        var result = new List<AddedToken>();
        if (Optional(root, "added_tokens") is not { } array)
        {
            return result;
        }

        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"added_tokens[{index++}]";
            result.Add(new AddedToken(
                RequiredInt(item, "id", TokenizerFile, path + ".id"),
                RequiredString(item, "content", TokenizerFile, path + ".content"),
                OptionalBool(item, "special", TokenizerFile, path + ".special") ?? false,
                OptionalBool(item, "normalized", TokenizerFile, path + ".normalized") ?? false,
                OptionalBool(item, "lstrip", TokenizerFile, path + ".lstrip") ?? false,
                OptionalBool(item, "rstrip", TokenizerFile, path + ".rstrip") ?? false,
                OptionalBool(item, "single_word", TokenizerFile, path + ".single_word") ?? false));
        }

        return result;
    }
}
