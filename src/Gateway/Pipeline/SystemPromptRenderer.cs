using Chat.Gateway.Options;
using Chat.Inference.Engine;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace Chat.Gateway.Pipeline;

/// <summary>
/// Renders <c>Chat:SystemPrompt</c> with Semantic Kernel's prompt template syntax; the template is
/// validated at start (<see cref="SystemPromptValidator"/>) and parsed once.
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

        _template = SystemPromptValidator.CreateTemplate(text);
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
