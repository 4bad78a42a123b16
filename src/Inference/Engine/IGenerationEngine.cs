using Chat.Inference.Templates;
using Chat.Inference.Tokenization;

namespace Chat.Inference.Engine;

/// <summary>
/// The engine boundary the gateway sees: one loaded decoder model, its tokenizer and template,
/// and a scheduler that generates for many concurrent callers. No ONNX Runtime types cross it.
/// </summary>
public interface IGenerationEngine
{
    ModelDescriptor Model { get; }

    ITokenizer Tokenizer { get; }

    IChatTemplate ChatTemplate { get; }

    /// <summary>Sequences currently being prefilled or decoded.</summary>
    int RunningSequences { get; }

    /// <summary>Sequences admitted and waiting for a slot.</summary>
    int WaitingSequences { get; }

    /// <summary>
    /// Admits a request and streams its tokens. The last update has <see cref="GenerationUpdate.IsFinal"/>
    /// set and carries finish reason and usage. Cancelling <paramref name="cancellationToken"/> drops the
    /// sequence at the next step (also during prefill), frees its KV cache and ends the stream with
    /// <see cref="FinishReason.Cancelled"/>.
    /// </summary>
    /// <exception cref="EngineOverloadedException">The waiting queue is full (raised synchronously).</exception>
    IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default);
}
