using Chat.Gateway.Hosting;
using Chat.Gateway.Observability;
using Chat.Gateway.Streams;

namespace Chat.Gateway.Streaming;

/// <summary>
/// Relays one stream subscription into a transport's writer. Waiting for the generation's start comes
/// before anything is sent, so admission failures (engine over capacity) still become a 503 problem;
/// after that the response is committed: events are flushed as they come and a failure becomes the
/// transport's error event. A client that goes away only detaches: the registry keeps the generation
/// for the disconnect grace period (so it can be resumed), then cancels it.
/// </summary>
internal static partial class GenerationStreamer
{
    public static async Task StreamAsync(HttpContext context, StreamSubscription subscription, StreamEventWriter writer, GatewayMetrics metrics, ILogger logger)
    {
        var aborted = context.RequestAborted;
        await using var detach = subscription.ConfigureAwait(false);
        await subscription.WaitForStartAsync(aborted).ConfigureAwait(false);

        await writer.StartAsync(aborted).ConfigureAwait(false);
        var active = metrics.ActiveStreams.WithLabels(writer.Transport);
        active.Inc();
        try
        {
            await foreach (var item in subscription.ReadAllAsync(aborted).ConfigureAwait(false))
            {
                switch (item.Kind)
                {
                    case StreamEventKind.Token:
                        await writer.WriteTokenAsync(item, aborted).ConfigureAwait(false);
                        break;
                    case StreamEventKind.Done:
                        await writer.WriteDoneAsync(item, aborted).ConfigureAwait(false);
                        RequestOutcome.Set(context, item.FinishReason == "cancelled" ? RequestOutcome.Cancelled : RequestOutcome.Ok);
                        break;
                    default:
                        await writer.WriteErrorAsync(item.Error!.Type, item.Error.Message, aborted).ConfigureAwait(false);
                        RequestOutcome.Set(context, RequestOutcome.Error);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            RequestOutcome.Set(context, RequestOutcome.Cancelled);
        }
        catch (SlowSubscriberException ex)
        {
            RequestOutcome.Set(context, RequestOutcome.Error);
            await writer.WriteErrorAsync("slow_consumer", ex.Message, aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RequestOutcome.Set(context, RequestOutcome.Error);
            LogStreamFailed(logger, writer.Transport, ex);
            await writer.WriteErrorAsync("server_error", ex.Message, aborted).ConfigureAwait(false);
        }
        finally
        {
            active.Dec();
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "A {Transport} stream failed after it began")]
    private static partial void LogStreamFailed(ILogger logger, string transport, Exception exception);
}
