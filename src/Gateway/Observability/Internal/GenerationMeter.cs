using System.Diagnostics;
using Chat.Inference.Engine;

namespace Chat.Gateway.Observability.Internal;

/// <summary>
/// Times one generation as its updates arrive (first token, then each next token) and records its
/// usage once at the end. If the stream ends without a final update (the consumer stopped or an
/// exception escaped), the tokens seen so far count as cancelled. Single consumer, not thread-safe.
/// </summary>
internal sealed class GenerationMeter(GatewayMetrics metrics)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _lastToken;
    private int _tokens;
    private bool _completed;

    /// <summary>Times a token on arrival; a final update records usage.</summary>
    public void Observe(GenerationUpdate update)
    {
        if (update.TokenId >= 0)
        {
            OnTokenArrived();
        }

        if (update.FinishReason is { } reason)
        {
            OnFinal(reason, update.Usage);
        }
    }

    private void OnTokenArrived()
    {
        var now = Stopwatch.GetTimestamp();
        if (_tokens == 0)
        {
            metrics.TimeToFirstToken.Observe(Stopwatch.GetElapsedTime(_start, now).TotalSeconds);
        }
        else
        {
            metrics.InterTokenLatency.Observe(Stopwatch.GetElapsedTime(_lastToken, now).TotalSeconds);
        }

        _lastToken = now;
        _tokens++;
    }

    private void OnFinal(FinishReason reason, GenerationUsage? usage)
    {
        _completed = true;
        metrics.RecordUsage(usage?.PromptTokens ?? 0, usage?.CompletionTokens ?? _tokens, usage?.QueueTime, reason == FinishReason.Cancelled);
    }

    /// <summary>Call when the stream is left (finally): records partial usage if no final update came.</summary>
    public void OnStreamLeft()
    {
        if (!_completed)
        {
            _completed = true;
            metrics.RecordUsage(0, _tokens, queueTime: null, cancelled: true);
        }
    }
}
