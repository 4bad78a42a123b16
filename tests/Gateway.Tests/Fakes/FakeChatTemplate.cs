using System.Text;
using Chat.Inference.Templates;

namespace Chat.Gateway.Tests.Fakes;

/// <summary>Renders <c>&lt;role&gt;content\n</c> per message and <c>&lt;assistant&gt;</c> as the generation prompt.</summary>
internal sealed class FakeChatTemplate : IChatTemplate
{
    public string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt = true)
    {
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            text.Append('<').Append(message.Role).Append('>').Append(message.Content).Append('\n');
        }

        if (addGenerationPrompt)
        {
            text.Append("<assistant>");
        }

        return text.ToString();
    }
}
