using System.Text;
using Chat.Gateway.Contracts;
using Chat.Inference.Engine;

namespace Chat.Gateway.Streaming;

/// <summary>What a finished generation amounts to: its text, token ids, finish reason and usage.</summary>
internal sealed class GenerationResult
{
    private readonly StringBuilder _text = new();
    private readonly List<int> _tokenIds = [];

    public string Text => _text.ToString();

    public IReadOnlyList<int> TokenIds => _tokenIds;

    public FinishReason FinishReason { get; private set; } = FinishReason.Cancelled;

    public GenerationUsage? Usage { get; private set; }

    public bool IsComplete { get; private set; }

    public void Add(GenerationUpdate update)
    {
        _text.Append(update.Text);
        if (update.TokenId >= 0)
        {
            _tokenIds.Add(update.TokenId);
        }

        if (update.FinishReason is { } reason)
        {
            FinishReason = reason;
            Usage = update.Usage;
            IsComplete = true;
        }
    }

    /// <summary>Drives a whole stream (the non-streaming routes use the same path as the streaming ones).</summary>
    public static async Task<GenerationResult> CollectAsync(IAsyncEnumerable<GenerationUpdate> updates, CancellationToken cancellationToken)
    {
        var result = new GenerationResult();
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            result.Add(update);
        }

        return result;
    }

    public UsageDto ToUsage(int promptTokens)
    {
        var prompt = Usage?.PromptTokens ?? promptTokens;
        var completion = Usage?.CompletionTokens ?? _tokenIds.Count;
        return new UsageDto(prompt, completion, prompt + completion);
    }

    public TimingsDto ToTimings() => Usage is { } usage
        ? new TimingsDto(usage.TimeToFirstToken.TotalMilliseconds, usage.TokensPerSecond, usage.QueueTime.TotalMilliseconds, usage.TotalTime.TotalMilliseconds)
        : new TimingsDto(0, 0, 0, 0);

    public string FinishReasonText => ToWire(FinishReason);

    public static string ToWire(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => "cancelled",
    };
}
