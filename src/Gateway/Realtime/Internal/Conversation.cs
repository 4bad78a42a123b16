using Chat.Inference.Templates;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// A chat history kept on the server for one hub connection, so that the client sends only its new
/// message. Turns are appended exactly as they were generated, so the prompt of turn n+1 begins with
/// the prompt and answer of turn n (what a KV prefix cache reuses). When the history outgrows its
/// bounds it drops its older half in one step rather than one message per turn: the prefix changes
/// once, then stays stable again for many turns. One turn at a time.
/// </summary>
internal sealed class Conversation(string id, int maxMessages)
{
    private readonly Lock _gate = new();
    private readonly List<ChatTurn> _messages = [];
    private bool _busy;

    public string Id => id;

    public int MessageCount
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>The history followed by the new user message; the conversation is busy until the turn ends.</summary>
    /// <exception cref="RealtimeException">A message of this conversation is still being answered.</exception>
    public IReadOnlyList<ChatTurn> BeginTurn(string text)
    {
        lock (_gate)
        {
            if (_busy)
            {
                throw new RealtimeException("conflict", "conversation_id", $"Conversation {id} is still answering its previous message.");
            }

            _busy = true;
            return [.. _messages, new ChatTurn("user", text)];
        }
    }

    /// <summary>
    /// Keeps a finished turn. When the turn used more than three quarters of the context, or the
    /// history holds more than its maximum of messages, the older half of the turns goes.
    /// </summary>
    public void CompleteTurn(string text, string answer, int turnTokens, int contextLength)
    {
        lock (_gate)
        {
            _messages.Add(new ChatTurn("user", text));
            _messages.Add(new ChatTurn("assistant", answer));
            if (_messages.Count > maxMessages || (long)turnTokens * 4 > (long)contextLength * 3)
            {
                // Whole user/assistant pairs; the newest turn always stays.
                var drop = Math.Min((_messages.Count / 2) & ~1, _messages.Count - 2);
                _messages.RemoveRange(0, drop);
            }

            _busy = false;
        }
    }

    /// <summary>A turn that was cancelled or failed leaves no trace; the client may send it again.</summary>
    public void AbandonTurn()
    {
        lock (_gate)
        {
            _busy = false;
        }
    }
}
