using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Chat.Gateway.Chat;
using Chat.Gateway.Contracts;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Pipeline;
using Chat.Gateway.Streams;
using Chat.Gateway.Validation;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// One client socket on <c>/ws/chat</c>. The receive loop reads whole text messages (bounded size and
/// rate) and dispatches them; each chat or resume runs as its own relay task, and every outgoing
/// message goes through one bounded queue to the socket's single writer. Protocol violations close
/// the socket with their code (1003 binary frames, 1009 too big, 1008 over the message rate);
/// malformed or invalid messages get an error message and the socket keeps serving. When the socket
/// ends, its generations are detached (the registry's grace period applies); a <c>cancel</c> stops one at once.
/// </summary>
internal sealed partial class WebSocketChatSession(
    WebSocket socket,
    string owner,
    ChatGenerator generator,
    StreamRegistry registry,
    GatewayMetrics metrics,
    ChatApiOptions chatOptions,
    RealtimeOptions options,
    ILogger logger)
{
    public const string Transport = "websocket";

    private readonly ConcurrentDictionary<string, Generation> _generations = new(StringComparer.Ordinal);
    private readonly Channel<OutgoingMessage> _outgoing = Channel.CreateBounded<OutgoingMessage>(
        new BoundedChannelOptions(options.SendQueueMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly CancellationTokenSource _lifetime = new();
    private readonly ConnectionLimits _limits = new(options);

    public async Task RunAsync(CancellationToken requestAborted)
    {
        metrics.ActiveConnections.WithLabels(Transport).Inc();
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token, requestAborted);
        var writer = WriteAsync(requestAborted);
        try
        {
            var violation = await ReceiveAsync(receiving.Token).ConfigureAwait(false);

            // The client is gone or broke the protocol: its generations detach (resumable for the grace period).
            await _lifetime.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_generations.Values.Select(g => g.Relay)).ConfigureAwait(false);
            if (violation is { } close)
            {
                metrics.RealtimeErrors.WithLabels(Transport, close.Reason).Inc();
                LogClosed(logger, (int)close.Status, close.Reason);
                _outgoing.Writer.TryWrite(new OutgoingMessage(OutgoingKind.Close, null, CloseStatus: close.Status, CloseReason: close.Reason));
            }

            _outgoing.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            if (violation is not null)
            {
                await DrainUntilCloseAsync(requestAborted).ConfigureAwait(false);
            }
        }
        finally
        {
            _limits.Dispose();
            _lifetime.Dispose();
            metrics.ActiveConnections.WithLabels(Transport).Dec();
        }
    }

    /// <summary>The socket's one writer; when it stops (the peer vanished) the whole session ends.</summary>
    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await new WebSocketMessageWriter(socket).RunAsync(_outgoing.Reader, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Nothing more can be sent; the receive loop notices the cancellation below.
        }
        finally
        {
            _outgoing.Writer.TryComplete();
            await _lifetime.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads messages until the client closes (null) or breaks the protocol (the close to send).</summary>
    private async Task<(WebSocketCloseStatus Status, string Reason)?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
                    switch (received.MessageType)
                    {
                        case WebSocketMessageType.Close:
                            return null;
                        case WebSocketMessageType.Binary:
                            return (WebSocketCloseStatus.InvalidMessageType, "binary_frame");
                    }

                    buffer.Advance(received.Count);
                    if (buffer.WrittenCount > options.MaxMessageBytes)
                    {
                        return (WebSocketCloseStatus.MessageTooBig, "message_too_big");
                    }
                }
                while (!received.EndOfMessage);

                if (!_limits.TryTakeMessage())
                {
                    return (WebSocketCloseStatus.PolicyViolation, "rate_limited");
                }

                Dispatch(buffer.WrittenSpan);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            return null;
        }
    }

    private void Dispatch(ReadOnlySpan<byte> json)
    {
        WebSocketEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(json, GatewayJsonContext.Default.WebSocketEnvelope);
        }
        catch (JsonException ex)
        {
            Reply(null, new RealtimeError("invalid_json", $"The message is not valid JSON at {ex.Path ?? "$"}.", RequestBodyReader.FieldOf(ex.Path)));
            return;
        }

        if (envelope is null)
        {
            Reply(null, new RealtimeError("invalid_json", "A message must be a JSON object.", "body"));
            return;
        }

        var id = envelope.Id;
        if (envelope.Type is not ("chat" or "resume" or "cancel" or "ping"))
        {
            Reply(id, new RealtimeError("invalid_request", "type must be chat, resume, cancel or ping.", "type"));
            return;
        }

        if (envelope.Type == "ping")
        {
            _outgoing.Writer.TryWrite(new OutgoingMessage(OutgoingKind.Pong, id));
            return;
        }

        if (string.IsNullOrEmpty(id))
        {
            Reply(null, new RealtimeError("invalid_request", $"A {envelope.Type} message needs an id.", "id"));
            return;
        }

        if (envelope.Type == "cancel")
        {
            if (_generations.TryGetValue(id, out var running))
            {
                running.Cancel();
            }
            else
            {
                Reply(id, new RealtimeError("not_found", $"No generation with id '{id}' is running on this socket.", "id"));
            }

            return;
        }

        ChatRequest? request = null;
        if (envelope.Type == "chat")
        {
            try
            {
                request = JsonSerializer.Deserialize(json, GatewayJsonContext.Default.ChatRequest);
            }
            catch (JsonException ex)
            {
                Reply(id, new RealtimeError("invalid_request", $"Invalid value at {ex.Path ?? "$"}.", RequestBodyReader.FieldOf(ex.Path)));
                return;
            }
        }
        else if (string.IsNullOrEmpty(envelope.StreamId))
        {
            Reply(id, new RealtimeError("invalid_request", "A resume message needs the stream_id to resume.", "stream_id"));
            return;
        }

        Begin(id, request, envelope);
    }

    private void Begin(string id, ChatRequest? request, WebSocketEnvelope envelope)
    {
        try
        {
            _limits.TakeStream();
        }
        catch (RealtimeException ex)
        {
            Reply(id, RealtimeError.From(ex)!);
            return;
        }

        var generation = new Generation(CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token));
        if (!_generations.TryAdd(id, generation))
        {
            _limits.ReleaseStream();
            generation.Dispose();
            Reply(id, new RealtimeError("conflict", $"A generation with id '{id}' is already running on this socket.", "id"));
            return;
        }

        generation.Relay = RunAsync(id, request, envelope, generation);
    }

    private async Task RunAsync(string id, ChatRequest? request, WebSocketEnvelope envelope, Generation generation)
    {
        // Leave the receive loop first: it must not wait for the pipeline.
        await Task.Yield();
        var token = generation.Token;
        try
        {
            StreamSubscription subscription;
            if (request is not null)
            {
                var prepared = await ChatRequests.PrepareAsync(request, generator, chatOptions, token).ConfigureAwait(false);
                subscription = registry.Start(generator, prepared, owner, Transport);
            }
            else
            {
                subscription = registry.Resume(envelope.StreamId!, owner, envelope.From ?? 0, Transport);
            }

            generation.Attach(subscription.Stream);
            await RelayAsync(id, subscription, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (RealtimeError.From(ex) is { } error)
        {
            Reply(id, error);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Cancelled before its stream existed, or the socket ended: nothing more to tell this client.
        }
        catch (ChannelClosedException)
        {
            // The socket's writer has stopped.
        }
        catch (Exception ex)
        {
            LogFailed(logger, id, ex);
            Reply(id, new RealtimeError("server_error", ex.Message));
        }
        finally
        {
            _generations.TryRemove(id, out _);
            _limits.ReleaseStream();
            generation.Dispose();
        }
    }

    private async Task RelayAsync(string id, StreamSubscription subscription, CancellationToken cancellationToken)
    {
        var streamId = subscription.Stream.Id;
        await using (subscription.ConfigureAwait(false))
        {
            await subscription.WaitForStartAsync(cancellationToken).ConfigureAwait(false);
            var active = metrics.ActiveStreams.WithLabels(Transport);
            active.Inc();
            try
            {
                await SendAsync(new OutgoingMessage(OutgoingKind.Start, id, streamId, From: subscription.NextIndex), cancellationToken).ConfigureAwait(false);
                await foreach (var item in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    var message = item.Kind switch
                    {
                        StreamEventKind.Token when item.Text.Length == 0 => default,
                        StreamEventKind.Token => new OutgoingMessage(OutgoingKind.Token, id, Event: item),
                        StreamEventKind.Done => new OutgoingMessage(OutgoingKind.Done, id, streamId, item),
                        _ => new OutgoingMessage(OutgoingKind.Error, id, Error: new RealtimeError(item.Error!.Type, item.Error.Message)),
                    };
                    if (message.Id is not null)
                    {
                        await SendAsync(message, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                active.Dec();
            }
        }
    }

    private ValueTask SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind == OutgoingKind.Error)
        {
            metrics.RealtimeErrors.WithLabels(Transport, message.Error!.Type).Inc();
        }

        return _outgoing.Writer.WriteAsync(message, cancellationToken);
    }

    /// <summary>An error reply that never waits (the receive loop must not block): one that cannot be queued is dropped with the socket's backlog.</summary>
    private void Reply(string? id, RealtimeError error)
    {
        metrics.RealtimeErrors.WithLabels(Transport, error.Type).Inc();
        _outgoing.Writer.TryWrite(new OutgoingMessage(OutgoingKind.Error, id, Error: error));
    }

    /// <summary>After the server's close frame, reads (and discards) until the client's close arrives, briefly.</summary>
    private async Task DrainUntilCloseAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (socket.State == WebSocketState.CloseSent)
            {
                var received = await socket.ReceiveAsync(scratch.AsMemory(), timeout.Token).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client did not answer the close politely; the connection ends anyway.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Closed a chat WebSocket with status {Status}: {Reason}")]
    private static partial void LogClosed(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "WebSocket generation {Id} failed")]
    private static partial void LogFailed(ILogger logger, string id, Exception exception);
}
