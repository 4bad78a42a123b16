using System.Text.Json;
using Chat.ModelBuilder.Tokenizer;
using Chat.ModelBuilder.Tokenizer.Internal;

namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>
/// genai_config.json with the reference builder's keys, key order and 4-space indent; "search" holds
/// its defaults (greedy, max_length = context length). past_present_share_buffer stays false: the
/// graph concatenates the past itself instead of writing into a preallocated max-length buffer.
/// </summary>
internal static class GenAiConfigWriter
{
    public const string FileName = "genai_config.json";

    public static void Write(string directory, DecoderSpec spec, int vocab, ChatTokenizerModel tokenizer, string modelFile)
    {
        TokenizerFilesWriter.WriteJson(Path.Combine(directory, FileName), 4, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("model");
            w.WriteNumber("bos_token_id", tokenizer.EndOfTextId);
            w.WriteNumber("context_length", spec.Context);
            w.WriteStartObject("decoder");
            w.WriteStartObject("session_options");
            w.WriteString("log_id", "onnxruntime-genai");
            w.WriteStartArray("provider_options");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString("filename", modelFile);
            w.WriteNumber("head_size", spec.HeadSize);
            w.WriteNumber("hidden_size", spec.Hidden);
            w.WriteStartObject("inputs");
            w.WriteString("input_ids", DecoderNames.InputIds);
            w.WriteString("attention_mask", DecoderNames.AttentionMask);
            w.WriteString("position_ids", DecoderNames.PositionIds);
            w.WriteString("past_key_names", DecoderNames.PastKeyPattern);
            w.WriteString("past_value_names", DecoderNames.PastValuePattern);
            w.WriteEndObject();
            w.WriteStartObject("outputs");
            w.WriteString("logits", DecoderNames.Logits);
            w.WriteString("present_key_names", DecoderNames.PresentKeyPattern);
            w.WriteString("present_value_names", DecoderNames.PresentValuePattern);
            w.WriteEndObject();
            w.WriteNumber("num_attention_heads", spec.Heads);
            w.WriteNumber("num_hidden_layers", spec.Layers);
            w.WriteNumber("num_key_value_heads", spec.KvHeads);
            w.WriteEndObject();
            w.WriteStartArray("eos_token_id");
            w.WriteNumberValue(tokenizer.ImEndId);
            w.WriteNumberValue(tokenizer.EndOfTextId);
            w.WriteEndArray();
            w.WriteNumber("pad_token_id", tokenizer.EndOfTextId);
            w.WriteString("type", "llama");
            w.WriteNumber("vocab_size", vocab);
            w.WriteEndObject();

            w.WriteStartObject("search");
            w.WriteNumber("diversity_penalty", 0.0);
            w.WriteBoolean("do_sample", false);
            w.WriteBoolean("early_stopping", true);
            w.WriteNumber("length_penalty", 1.0);
            w.WriteNumber("max_length", spec.Context);
            w.WriteNumber("min_length", 0);
            w.WriteNumber("no_repeat_ngram_size", 0);
            w.WriteNumber("num_beams", 1);
            w.WriteNumber("num_return_sequences", 1);
            w.WriteBoolean("past_present_share_buffer", false);
            w.WriteNumber("repetition_penalty", 1.0);
            w.WriteNumber("temperature", 1.0);
            w.WriteNumber("top_k", 50);
            w.WriteNumber("top_p", 1.0);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
