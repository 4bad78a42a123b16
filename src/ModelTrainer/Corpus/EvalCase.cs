namespace Chat.ModelTrainer.Corpus;

/// <summary>A held-out conversation ending in a user turn, and the exact reply the skill demands.</summary>
public sealed record EvalCase(Skill Skill, IReadOnlyList<ChatMessage> Prompt, string Expected);
