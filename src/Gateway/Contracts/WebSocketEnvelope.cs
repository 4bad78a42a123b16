namespace Chat.Gateway.Contracts;

/// <summary>
/// The routing fields of a client message on <c>/ws/chat</c>: <c>{"type":"chat","id":"c1",...request}</c>,
/// <c>{"type":"cancel","id":"c1"}</c>, <c>{"type":"resume","id":"c2","stream_id":"...","from":N}</c>,
/// <c>{"type":"ping","id":"p1"}</c>. A chat message's request fields are read separately as a <see cref="ChatRequest"/>.
/// </summary>
public sealed record WebSocketEnvelope(string? Type, string? Id, string? StreamId, int? From);
