using System.Text;
using Chat.Gateway.Contracts;
using Chat.Gateway.Streams;

namespace Chat.Gateway.Streaming;

/// <summary>What a finished generation amounts to: its text, token ids, finish reason, usage and timings.</summary>
internal sealed class GenerationResult
{
    private readonly StringBuilder _text = new();
    private readonly List<int> _tokenIds = [];

    private GenerationResult(string streamId)
    {
        StreamId = streamId;
    }

    public string StreamId { get; }

    public string Text => _text.ToString();

    public IReadOnlyList<int> TokenIds => _tokenIds;

    public string FinishReasonText { get; private set; } = "cancelled";

    public UsageDto Usage { get; private set; } = new(0, 0, 0);

    public TimingsDto Timings { get; private set; } = new(0, 0, 0, 0);

    /// <summary>A non-streaming route's answer: the whole stream read, detached, and its id in the <c>X-Stream-Id</c> header.</summary>
    public static async Task<GenerationResult> CollectAsync(HttpContext context, StreamSubscription subscription)
    {
        await using (subscription.ConfigureAwait(false))
        {
            var result = await CollectAsync(subscription, context.RequestAborted).ConfigureAwait(false);
            context.Response.Headers[StreamEventWriter.StreamIdHeader] = result.StreamId;
            return result;
        }
    }

    /// <summary>
    /// Reads a whole stream (the non-streaming routes are subscribers like the streaming ones, so their
    /// generation too has a stream id and outlives a dropped client for the grace period).
    /// </summary>
    /// <exception cref="InvalidOperationException">The generation failed after it began.</exception>
    public static async Task<GenerationResult> CollectAsync(StreamSubscription subscription, CancellationToken cancellationToken)
    {
        await subscription.WaitForStartAsync(cancellationToken).ConfigureAwait(false);
        var result = new GenerationResult(subscription.Stream.Id);
        await foreach (var item in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (item.Kind)
            {
                case StreamEventKind.Token:
                    result._text.Append(item.Text);
                    if (item.TokenId >= 0)
                    {
                        result._tokenIds.Add(item.TokenId);
                    }

                    break;
                case StreamEventKind.Done:
                    result.FinishReasonText = item.FinishReason!;
                    result.Usage = item.Usage!;
                    result.Timings = item.Timings!;
                    break;
                default:
                    throw new InvalidOperationException($"The generation failed ({item.Error!.Type}): {item.Error.Message}");
            }
        }

        return result;
    }
}
