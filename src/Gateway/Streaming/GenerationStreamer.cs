using Chat.Gateway.Hosting;
using Chat.Gateway.Observability;
using Chat.Inference.Engine;

namespace Chat.Gateway.Streaming;

/// <summary>
/// Drives one generation into a transport's writer. The first step runs before anything is sent, so
/// admission failures (engine over capacity) still become a 503 problem; after that the stream is
/// committed: tokens are flushed as they come, a failure becomes the transport's error event, and a
/// client that goes away cancels the engine sequence through <see cref="HttpContext.RequestAborted"/>.
/// </summary>
internal static partial class GenerationStreamer
{
    public static async Task StreamAsync(
        HttpContext context,
        IAsyncEnumerable<GenerationUpdate> updates,
        StreamEventWriter writer,
        int promptTokens,
        GatewayMetrics metrics,
        ILogger logger)
    {
        var aborted = context.RequestAborted;
        await using var stream = updates.GetAsyncEnumerator(aborted);
        var hasUpdate = await stream.MoveNextAsync().ConfigureAwait(false);

        await writer.StartAsync(aborted).ConfigureAwait(false);
        var active = metrics.ActiveStreams.WithLabels(writer.Transport);
        active.Inc();
        var result = new GenerationResult();
        try
        {
            while (hasUpdate)
            {
                var update = stream.Current;
                result.Add(update);
                await writer.WriteUpdateAsync(update, aborted).ConfigureAwait(false);
                if (update.IsFinal)
                {
                    break;
                }

                hasUpdate = await stream.MoveNextAsync().ConfigureAwait(false);
            }

            if (aborted.IsCancellationRequested)
            {
                RequestOutcome.Set(context, RequestOutcome.Cancelled);
                return;
            }

            await writer.WriteDoneAsync(result, promptTokens, aborted).ConfigureAwait(false);
            RequestOutcome.Set(context, result.FinishReason == FinishReason.Cancelled ? RequestOutcome.Cancelled : RequestOutcome.Ok);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            RequestOutcome.Set(context, RequestOutcome.Cancelled);
        }
        catch (Exception ex)
        {
            RequestOutcome.Set(context, RequestOutcome.Error);
            LogStreamFailed(logger, writer.Transport, ex);
            var type = ex is EngineOverloadedException ? "overloaded" : "server_error";
            await writer.WriteErrorAsync(type, ex.Message, aborted).ConfigureAwait(false);
        }
        finally
        {
            active.Dec();
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "A {Transport} stream failed after it began")]
    private static partial void LogStreamFailed(ILogger logger, string transport, Exception exception);
}
