namespace Chat.Gateway.Contracts;

public sealed record ChatCompletionChoice(int Index, ChatMessageDto Message, string FinishReason);
