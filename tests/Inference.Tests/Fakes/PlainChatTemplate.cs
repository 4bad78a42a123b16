using System.Text;
using Chat.Inference.Templates;

namespace Chat.Inference.Tests.Fakes;

/// <summary>Concatenates message contents, so a test controls the prompt ids through the text.</summary>
internal sealed class PlainChatTemplate : IChatTemplate
{
    public string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt = true)
    {
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            text.Append(message.Content);
        }

        return text.ToString();
    }
}
