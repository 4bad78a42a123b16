namespace Chat.Gateway.Contracts;

/// <summary>OpenAI <c>POST /v1/completions</c> body; no chat template is applied.</summary>
public sealed record CompletionRequest : SamplingRequestBase
{
    public string? Model { get; init; }

    public CompletionPrompt? Prompt { get; init; }

    public bool? Stream { get; init; }

    public StreamOptionsDto? StreamOptions { get; init; }

    public int? N { get; init; }

    /// <summary>vLLM extension: add <c>prompt_token_ids</c> and <c>token_ids</c> to each choice.</summary>
    public bool? ReturnTokenIds { get; init; }

    public string? User { get; init; }
}
