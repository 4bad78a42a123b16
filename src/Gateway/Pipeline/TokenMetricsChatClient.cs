using System.Runtime.CompilerServices;
using Chat.Gateway.Observability;
using Chat.Gateway.Observability.Internal;
using Chat.Inference.Engine;
using Microsoft.Extensions.AI;

namespace Chat.Gateway.Pipeline;

/// <summary>
/// Records time to first token, inter-token latency, queue time and token counts of every generation
/// that passes through the chat pipeline. Sits innermost (next to the engine) so that the timings are
/// the engine's, not those of outer stages. Non-streaming calls go through the same streaming path.
/// </summary>
public sealed class TokenMetricsChatClient(IChatClient innerClient, GatewayMetrics metrics) : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        Microsoft.Extensions.AI.ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var meter = new GenerationMeter(metrics);
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // Each chunk is timed when the inner stage hands it over, before this stage's consumer runs.
            while (await updates.MoveNextAsync().ConfigureAwait(false))
            {
                var update = updates.Current;
                if (update.RawRepresentation is GenerationUpdate generated)
                {
                    meter.Observe(generated);
                }

                yield return update;
            }
        }
        finally
        {
            meter.OnStreamLeft();
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }
}
