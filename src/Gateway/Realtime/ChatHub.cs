using System.Runtime.CompilerServices;
using System.Text;
using Chat.Gateway.Chat;
using Chat.Gateway.Contracts;
using Chat.Gateway.Engine;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Pipeline;
using Chat.Gateway.Realtime.Internal;
using Chat.Gateway.Streams;
using Chat.Gateway.Validation;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Realtime;

/// <summary>
/// The SignalR hub at <c>/hubs/chat</c>. It stays thin: requests go through the same pipeline as HTTP
/// (<see cref="ChatGenerator"/>) and every generation is a <see cref="StreamRegistry"/> stream, so a
/// hub stream can be resumed over any transport and vice versa. Limits, logging and the mapping of
/// failures to typed <see cref="HubException"/>s (<c>type (field): message</c>) live in hub filters.
/// Disposing a stream on the client cancels its generation at once; a dropped connection leaves it
/// running for <c>Streams:DisconnectGraceSeconds</c> so that it can be resumed.
/// </summary>
public sealed class ChatHub(
    ChatGenerator generator,
    StreamRegistry registry,
    IGenerationEngineProvider provider,
    GatewayMetrics metrics,
    IOptions<ChatApiOptions> chatOptions) : Hub
{
    public const string Transport = "signalr";

    /// <summary>A chat request as on <c>POST /chat/stream</c>: token items, then the done item.</summary>
    public async IAsyncEnumerable<ChatStreamItem> StreamChat(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = HubConnectionState.Of(Context);
        var connectionAborted = Context.ConnectionAborted;
        var prepared = await ChatRequests.PrepareAsync(request ?? new ChatRequest(), generator, chatOptions.Value, cancellationToken).ConfigureAwait(false);
        var subscription = registry.Start(generator, prepared, state.Owner, Transport);
        await foreach (var item in RelayAsync(subscription, connectionAborted, answer: null, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>The events of one of this client's streams from <paramref name="fromIndex"/> on (the index after the last one it saw).</summary>
    public async IAsyncEnumerable<ChatStreamItem> ResumeStream(string streamId, int fromIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = HubConnectionState.Of(Context);
        var connectionAborted = Context.ConnectionAborted;
        var subscription = registry.Resume(streamId ?? "", state.Owner, fromIndex, Transport);
        await foreach (var item in RelayAsync(subscription, connectionAborted, answer: null, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>Opens a conversation whose history this connection keeps; returns its id.</summary>
    public string StartConversation() => HubConnectionState.Of(Context).Conversations.Start().Id;

    public void EndConversation(string conversationId) => HubConnectionState.Of(Context).Conversations.End(conversationId);

    /// <summary>
    /// The next user message of a conversation: answered with the whole history as context. A turn
    /// that finishes (stop or length) joins the history before its done item is sent; a cancelled or
    /// failed one is forgotten.
    /// </summary>
    public async IAsyncEnumerable<ChatStreamItem> SendMessage(
        string conversationId, string text, ConversationMessageOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = HubConnectionState.Of(Context);
        var connectionAborted = Context.ConnectionAborted;
        var conversation = state.Conversations.Get(conversationId);
        options ??= new ConversationMessageOptions();
        var validator = new RequestValidator(chatOptions.Value);
        if (string.IsNullOrEmpty(text))
        {
            validator.Add("text", "text must not be empty.");
        }

        var parameters = validator.Parameters(options, options.MaxTokens);
        validator.ThrowIfInvalid();

        var turns = conversation.BeginTurn(text);
        var kept = false;
        try
        {
            var prepared = await generator.PrepareChatAsync(turns, parameters, cancellationToken).ConfigureAwait(false);
            var answer = new StringBuilder();
            var subscription = registry.Start(generator, prepared, state.Owner, Transport);
            await foreach (var item in RelayAsync(subscription, connectionAborted, answer, cancellationToken).ConfigureAwait(false))
            {
                if (item is { Done: true, FinishReason: "stop" or "length" })
                {
                    conversation.CompleteTurn(text, answer.ToString(), item.Usage!.TotalTokens, provider.GetEngine().Model.ContextLength);
                    kept = true;
                }

                yield return item;
            }
        }
        finally
        {
            if (!kept)
            {
                conversation.AbandonTurn();
            }
        }
    }

    private async IAsyncEnumerable<ChatStreamItem> RelayAsync(
        StreamSubscription subscription, CancellationToken connectionAborted, StringBuilder? answer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var streamId = subscription.Stream.Id;
        var active = metrics.ActiveStreams.WithLabels(Transport);
        var counted = false;
        await using (subscription.ConfigureAwait(false))
        {
            try
            {
                await subscription.WaitForStartAsync(cancellationToken).ConfigureAwait(false);
                active.Inc();
                counted = true;
                await foreach (var item in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    switch (item.Kind)
                    {
                        case StreamEventKind.Token when item.Text.Length > 0:
                            answer?.Append(item.Text);
                            yield return new ChatStreamItem(streamId, item.Index, item.Text);
                            break;
                        case StreamEventKind.Done:
                            yield return new ChatStreamItem(streamId, item.Index, null, true, item.FinishReason, item.Usage, item.Timings);
                            break;
                        case StreamEventKind.Error:
                            throw new RealtimeException(item.Error!.Type, null, item.Error.Message);
                    }
                }
            }
            finally
            {
                if (counted)
                {
                    active.Dec();
                }

                // The client disposed its stream (the connection is still there): stop now, nobody will resume.
                if (cancellationToken.IsCancellationRequested && !connectionAborted.IsCancellationRequested && !subscription.SawEnd)
                {
                    subscription.Stream.Cancel();
                }
            }
        }
    }
}
