namespace Chat.ModelTrainer.Corpus;

/// <summary>The skills of the contract in issue 10, each evaluated on its own held-out prompts.</summary>
public enum Skill
{
    Add,
    Subtract,
    Multiply,
    Reverse,
    Upper,
    Lower,
    Spell,
    Count,
    Sort,
    Memory,
    FollowUp,
    SmallTalk,
    Fallback,
}
