using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace Chat.Gateway.Options;

/// <summary>Parses <c>Chat:SystemPrompt</c> as a Semantic Kernel template at start, so a broken template stops startup.</summary>
internal sealed class SystemPromptValidator : IValidateOptions<ChatApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatApiOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.SystemPrompt))
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            CreateTemplate(options.SystemPrompt);
            return ValidateOptionsResult.Success;
        }
        catch (KernelException ex)
        {
            return ValidateOptionsResult.Fail($"Chat:SystemPrompt is not a valid prompt template: {ex.Message}");
        }
    }

    /// <summary>
    /// The template comes from the operator's configuration and its output is used as plain text
    /// (never parsed back into chat-prompt XML), so variable values are not HTML-encoded.
    /// </summary>
    public static IPromptTemplate CreateTemplate(string text) =>
        new KernelPromptTemplateFactory().Create(new PromptTemplateConfig(text) { AllowDangerouslySetContent = true });
}
