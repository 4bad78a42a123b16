namespace Chat.Inference.Templates;

/// <summary>
/// A chat template failed to compile or render: a syntax error, an unsupported construct, or the
/// template's own <c>raise_exception(...)</c> (for example "Conversation roles must alternate").
/// The message names the line and column in the template.
/// </summary>
public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException(string message)
        : base(message)
    {
    }

    public ChatTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the template itself raised the error (raise_exception), i.e. the conversation is invalid for this model.</summary>
    public bool RaisedByTemplate { get; init; }
}
