using Chat.Gateway.Contracts;
using Chat.Gateway.Options;
using Chat.Gateway.Pipeline;
using Chat.Gateway.Streams;
using Chat.Gateway.Validation;

namespace Chat.Gateway.Chat;

/// <summary>The native chat request's path into the pipeline, shared by HTTP, the hub and the WebSocket.</summary>
internal static class ChatRequests
{
    /// <summary>Validates a native chat request (every offending field at once) and prepares it against the loaded model.</summary>
    /// <exception cref="RequestValidationException">A field is invalid, or the prompt does not fit the context.</exception>
    public static Task<PreparedGeneration> PrepareAsync(ChatRequest request, ChatGenerator generator, ChatApiOptions options, CancellationToken cancellationToken)
    {
        var validator = new RequestValidator(options);
        var turns = validator.Messages(request.Messages, request.Message);
        var parameters = validator.Parameters(request, request.MaxTokens);
        validator.ThrowIfInvalid();
        return generator.PrepareChatAsync(turns, parameters, cancellationToken);
    }

    /// <summary>Starts a prepared generation as a registry stream owned by <paramref name="owner"/>.</summary>
    public static StreamSubscription Start(this StreamRegistry registry, ChatGenerator generator, PreparedGeneration prepared, string owner, string transport) =>
        registry.Start(owner, transport, prepared.PromptTokens, cancellationToken => generator.StreamAsync(prepared, cancellationToken));
}
