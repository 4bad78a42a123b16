namespace Chat.Inference.Templates;

/// <summary>Renders a conversation into the prompt text a model was trained on.</summary>
public interface IChatTemplate
{
    /// <param name="messages">The conversation, oldest first; roles are system, user or assistant.</param>
    /// <param name="addGenerationPrompt">Append the assistant header so the model answers next.</param>
    string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt = true);
}
