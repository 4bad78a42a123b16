namespace Chat.Gateway.Realtime.Internal;

/// <summary>The conversations of one hub connection (bounded); they end with the connection.</summary>
internal sealed class ConversationSet(int maxConversations, int maxMessages)
{
    private readonly Dictionary<string, Conversation> _conversations = new(StringComparer.Ordinal);

    public Conversation Start()
    {
        lock (_conversations)
        {
            if (_conversations.Count >= maxConversations)
            {
                throw new RealtimeException("too_many_conversations", null,
                    $"This connection already holds {maxConversations} conversations (Realtime:MaxConversationsPerConnection); end one first.");
            }

            var conversation = new Conversation(Guid.NewGuid().ToString("N"), maxMessages);
            _conversations.Add(conversation.Id, conversation);
            return conversation;
        }
    }

    public Conversation Get(string? conversationId)
    {
        lock (_conversations)
        {
            return conversationId is not null && _conversations.TryGetValue(conversationId, out var conversation)
                ? conversation
                : throw new RealtimeException("not_found", "conversation_id", $"Conversation '{conversationId}' does not exist on this connection.");
        }
    }

    public void End(string? conversationId)
    {
        lock (_conversations)
        {
            if (conversationId is null || !_conversations.Remove(conversationId))
            {
                throw new RealtimeException("not_found", "conversation_id", $"Conversation '{conversationId}' does not exist on this connection.");
            }
        }
    }
}
