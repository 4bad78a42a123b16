namespace Chat.Inference.Engine;

/// <summary>
/// One step of a generation stream: a generated token and the text it completed (possibly empty
/// while a UTF-8 character or a possible stop string is held back). The final update has
/// <see cref="IsFinal"/> set, carries the finish reason and usage, and may carry released text
/// but no token (<see cref="TokenId"/> is -1).
/// </summary>
public readonly record struct GenerationUpdate(
    int Index,
    int TokenId,
    string Text,
    FinishReason? FinishReason = null,
    GenerationUsage? Usage = null)
{
    public bool IsFinal => FinishReason is not null;
}
