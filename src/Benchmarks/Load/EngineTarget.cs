using Chat.Inference.Engine;

namespace Chat.Benchmarks.Load;

/// <summary>Streams straight through <see cref="DecoderEngine"/>: the in-process figure HTTP is compared with.</summary>
internal sealed class EngineTarget(IGenerationEngine engine, int[] prompt, int maxTokens) : IStreamTarget
{
    public const string TargetName = "in-process engine";

    public string Name => TargetName;

    public async Task<StreamSample> RunAsync(CancellationToken cancellationToken)
    {
        var clock = new StreamClock();
        var request = new GenerationRequest { PromptTokenIds = prompt, MaxNewTokens = maxTokens, IgnoreEos = true };
        await foreach (var update in engine.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (!update.IsFinal)
            {
                clock.Token();
            }
        }

        return clock.Finish();
    }
}
