using System.Text;
using Chat.ModelBuilder.Tokenizer;

namespace Chat.ModelTrainer.Corpus;

/// <summary>
/// Token ids of conversations as the exported tokenizer and ChatML template produce them: a
/// byte-level vocabulary without merges (id = byte, then the three specials), each message
/// <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, generation after <c>&lt;|im_start|&gt;assistant\n</c>.
/// </summary>
public sealed class ChatFormat
{
    public ChatFormat()
    {
        Tokenizer = ChatTokenizerModel.Create(corpus: null, vocab: null);
    }

    /// <summary>The tokenizer the export writes; its size is the model's vocabulary.</summary>
    public ChatTokenizerModel Tokenizer { get; }

    public int Vocab => Tokenizer.Tokens.Count;

    public int ImEndId => Tokenizer.ImEndId;

    public int PadId => Tokenizer.EndOfTextId;

    /// <summary>Ids of the whole conversation and, per id, whether the model is trained to predict it (assistant content and its end token).</summary>
    public (List<long> Ids, List<bool> Trained) Encode(IReadOnlyList<ChatMessage> messages)
    {
        var ids = new List<long>(256);
        var trained = new List<bool>(256);
        foreach (var message in messages)
        {
            var assistant = message.Role == "assistant";
            Append(ids, trained, Tokenizer.ImStartId, false);
            AppendText(ids, trained, message.Role + "\n", false);
            AppendText(ids, trained, message.Content, assistant);
            Append(ids, trained, Tokenizer.ImEndId, assistant);
            AppendText(ids, trained, "\n", false);
        }

        return (ids, trained);
    }

    /// <summary>Ids of a prompt with the generation prompt appended (add_generation_prompt).</summary>
    public List<long> EncodePrompt(IReadOnlyList<ChatMessage> messages)
    {
        var (ids, trained) = Encode(messages);
        Append(ids, trained, Tokenizer.ImStartId, false);
        AppendText(ids, trained, "assistant\n", false);
        return ids;
    }

    /// <summary>Text of generated ids (bytes); stops at the end token.</summary>
    public string Decode(IEnumerable<long> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (id == ImEndId)
            {
                break;
            }

            if (id < 256)
            {
                bytes.Add((byte)id);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static void AppendText(List<long> ids, List<bool> trained, string text, bool train)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            Append(ids, trained, b, train);
        }
    }

    private static void Append(List<long> ids, List<bool> trained, long id, bool train)
    {
        ids.Add(id);
        trained.Add(train);
    }
}
