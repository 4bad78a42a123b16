using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chat.ModelBuilder.Tokenizer.Internal;

/// <summary>The Hugging Face tokenizers files for a <see cref="ChatTokenizerModel"/>, GPT-2 / Qwen2 style.</summary>
internal static class TokenizerFilesWriter
{
    /// <summary>ChatML, as Qwen2 and SmolLM ship it (without a default system prompt).</summary>
    public const string ChatTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public static void Write(ChatTokenizerModel model, string directory, int modelMaxLength)
    {
        WriteJson(Path.Combine(directory, "tokenizer.json"), 2, writer => WriteTokenizer(writer, model));
        WriteJson(Path.Combine(directory, "tokenizer_config.json"), 2, writer => WriteConfig(writer, model, modelMaxLength));
        WriteJson(Path.Combine(directory, "special_tokens_map.json"), 2, writer =>
        {
            writer.WriteStartObject();
            WriteSpecialToken(writer, "bos_token", ChatTokenizerModel.EndOfText);
            WriteSpecialToken(writer, "eos_token", ChatTokenizerModel.ImEnd);
            WriteSpecialToken(writer, "pad_token", ChatTokenizerModel.EndOfText);
            writer.WriteEndObject();
        });
    }

    /// <summary>Indented, unescaped (the byte-level alphabet stays readable), "\n" line ends on every OS.</summary>
    public static void WriteJson(string path, int indent, Action<Utf8JsonWriter> write)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            IndentSize = indent,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        write(writer);
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteTokenizer(Utf8JsonWriter w, ChatTokenizerModel model)
    {
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        for (var id = model.EndOfTextId; id < model.Tokens.Count; id++)
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("content", model.Tokens[id]);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNull("normalizer");
        WriteByteLevel(w, "pre_tokenizer", addPrefixSpace: false, trimOffsets: true);
        WriteByteLevel(w, "post_processor", addPrefixSpace: false, trimOffsets: false);
        WriteByteLevel(w, "decoder", addPrefixSpace: false, trimOffsets: true);

        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteNull("unk_token");
        w.WriteString("continuing_subword_prefix", "");
        w.WriteString("end_of_word_suffix", "");
        w.WriteBoolean("fuse_unk", false);
        w.WriteBoolean("byte_fallback", false);
        w.WriteBoolean("ignore_merges", false);
        w.WriteStartObject("vocab");
        for (var id = 0; id < model.Tokens.Count; id++)
        {
            w.WriteNumber(model.Tokens[id], id);
        }

        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach (var (left, right) in model.Merges)
        {
            // "left right" strings: the format every tokenizers version and Microsoft.ML.Tokenizers read.
            w.WriteStringValue(left + " " + right);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteByteLevel(Utf8JsonWriter w, string name, bool addPrefixSpace, bool trimOffsets)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", addPrefixSpace);
        w.WriteBoolean("trim_offsets", trimOffsets);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
    }

    private static void WriteConfig(Utf8JsonWriter w, ChatTokenizerModel model, int modelMaxLength)
    {
        w.WriteStartObject();
        w.WriteBoolean("add_bos_token", false);
        w.WriteBoolean("add_eos_token", false);
        w.WriteBoolean("add_prefix_space", false);
        w.WriteStartObject("added_tokens_decoder");
        for (var id = model.EndOfTextId; id < model.Tokens.Count; id++)
        {
            w.WriteStartObject(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteTokenFlags(w, model.Tokens[id]);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartArray("additional_special_tokens");
        w.WriteStringValue(ChatTokenizerModel.ImStart);
        w.WriteStringValue(ChatTokenizerModel.ImEnd);
        w.WriteEndArray();
        w.WriteString("bos_token", ChatTokenizerModel.EndOfText);
        w.WriteString("chat_template", ChatTemplate);
        w.WriteBoolean("clean_up_tokenization_spaces", false);
        w.WriteString("eos_token", ChatTokenizerModel.ImEnd);
        w.WriteNumber("model_max_length", modelMaxLength);
        w.WriteString("pad_token", ChatTokenizerModel.EndOfText);
        w.WriteString("tokenizer_class", "GPT2Tokenizer");
        w.WriteNull("unk_token");
        w.WriteEndObject();
    }

    private static void WriteSpecialToken(Utf8JsonWriter w, string name, string content)
    {
        w.WriteStartObject(name);
        WriteTokenFlags(w, content);
        w.WriteEndObject();
    }

    /// <summary>The transformers-side token fields, alphabetical as transformers saves them; specials match verbatim.</summary>
    private static void WriteTokenFlags(Utf8JsonWriter w, string content)
    {
        w.WriteString("content", content);
        w.WriteBoolean("lstrip", false);
        w.WriteBoolean("normalized", false);
        w.WriteBoolean("rstrip", false);
        w.WriteBoolean("single_word", false);
    }
}
