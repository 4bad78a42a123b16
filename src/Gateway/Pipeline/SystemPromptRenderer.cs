using Chat.Gateway.Options;
using Chat.Inference.Engine;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace Chat.Gateway.Pipeline;

/// <summary>
/// Renders <c>Chat:SystemPrompt</c> with Semantic Kernel's prompt template syntax; the template is
/// parsed once at startup so a broken template stops startup, not a request.
/// Variables: <c>{{$model}}</c> (model id), <c>{{$context_length}}</c>.
/// </summary>
public sealed class SystemPromptRenderer
{
    private readonly IPromptTemplate? _template;

    public SystemPromptRenderer(IOptions<ChatApiOptions> options)
    {
        var text = options.Value.SystemPrompt;
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        try
        {
            // The template comes from the operator's configuration and its output is used as plain text
            // (never parsed back into chat-prompt XML), so variable values are not HTML-encoded.
            _template = new KernelPromptTemplateFactory().Create(new PromptTemplateConfig(text) { AllowDangerouslySetContent = true });
        }
        catch (KernelException ex)
        {
            throw new OptionsValidationException(ChatApiOptions.SectionName, typeof(ChatApiOptions), [$"Chat:SystemPrompt is not a valid prompt template: {ex.Message}"]);
        }
    }

    public bool HasPrompt => _template is not null;

    public Task<string> RenderAsync(Kernel kernel, ModelDescriptor model, CancellationToken cancellationToken)
    {
        if (_template is null)
        {
            return Task.FromResult("");
        }

        var arguments = new KernelArguments
        {
            ["model"] = model.Id,
            ["context_length"] = model.ContextLength,
        };
        return _template.RenderAsync(kernel, arguments, cancellationToken);
    }
}
