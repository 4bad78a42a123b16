namespace Chat.Gateway.Contracts;

/// <summary>OpenAI <c>GET /v1/models</c> answer.</summary>
public sealed record ModelList(string Object, IReadOnlyList<ModelCard> Data);
