using System.ComponentModel.DataAnnotations;

namespace Chat.Gateway.Options;

/// <summary>The <c>Chat</c> section: request limits and the system prompt of the chat routes.</summary>
public sealed class ChatApiOptions
{
    public const string SectionName = "Chat";

    /// <summary>
    /// Semantic Kernel prompt template prepended as the system message when a request brings none;
    /// <c>{{$model}}</c> is the model id. Empty: no system message.
    /// </summary>
    public string SystemPrompt { get; set; } = "";

    [Range(1024, 64 * 1024 * 1024, ErrorMessage = "Chat:MaxRequestBodyBytes must be between {1} and {2}.")]
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Generated tokens when a request does not say (bounded by what the context leaves).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Chat:DefaultMaxTokens must be between {1} and {2}.")]
    public int DefaultMaxTokens { get; set; } = 256;

    /// <summary>Upper bound on messages in one request.</summary>
    [Range(1, 100_000, ErrorMessage = "Chat:MaxMessages must be between {1} and {2}.")]
    public int MaxMessages { get; set; } = 1024;

    /// <summary>Upper bound on stop strings in one request.</summary>
    [Range(0, 64, ErrorMessage = "Chat:MaxStopSequences must be between {1} and {2}.")]
    public int MaxStopSequences { get; set; } = 8;
}
