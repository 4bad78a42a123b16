namespace Chat.Gateway.Contracts;

/// <summary>Generation settings of one conversation turn (hub <c>SendMessage</c>); the history lives on the server.</summary>
public sealed record ConversationMessageOptions : SamplingRequestBase;
