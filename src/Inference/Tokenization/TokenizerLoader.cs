using Chat.Inference.Tokenization.Internal;

namespace Chat.Inference.Tokenization;

/// <summary>
/// Loads the tokenizer of a model folder: tokenizer.json (required), tokenizer_config.json and
/// special_tokens_map.json (optional; BOS/EOS and add_bos_token/add_eos_token). Supports the BPE
/// families decoder models ship: byte-level BPE (GPT-2, Qwen2, Llama 3, SmolLM) and SentencePiece-style
/// BPE with byte fallback (Llama 2, Mistral, Phi-3, TinyLlama), with their added tokens.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0 was evaluated first: its BpeTokenizer has no byte_fallback, no
/// added-token lstrip/rstrip/normalized handling, no TemplateProcessing and no incremental decoder,
/// and its SentencePieceTokenizer reads only the .model protobuf, not tokenizer.json. So the BPE here
/// is our own: merge-rank based, O(n log n) per word, with a bounded concurrent word cache.
/// </remarks>
public static class TokenizerLoader
{
    /// <exception cref="FileNotFoundException">tokenizer.json is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not valid JSON, or a key is missing, malformed or unsupported (the message names file and key).</exception>
    public static ITokenizer Load(string modelFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        if (!Directory.Exists(modelFolder))
        {
            throw new DirectoryNotFoundException($"Model folder not found: {modelFolder}");
        }

        return TokenizerJson.Load(modelFolder);
    }
}
