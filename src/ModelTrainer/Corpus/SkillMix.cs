namespace Chat.ModelTrainer.Corpus;

/// <summary>
/// How often <see cref="SkillCorpus.SampleTraining"/> draws each skill: part of the recipe, like the data seed.
/// </summary>
public enum SkillMix
{
    /// <summary>The mix of runs 4-16 (models/README.md): add and subtract .19 each, multiply .14, reverse and sort .12 each,
    /// the case, spelling and counting skills, small talk and the fallback .04 each; after an arithmetic answer in a
    /// longer conversation, about a third of the turns are follow-ups.</summary>
    Balanced,

    /// <summary>
    /// More subtraction and follow-ups, the skills furthest below their floors, taken from those at or near 100%:
    /// add .21, subtract .25, multiply .14, reverse .08, spell .05, uppercase .04, lowercase and count .03 each,
    /// sort .11, small talk and the fallback .03 each; after an arithmetic answer about half the turns are
    /// follow-ups (1.7 times as many).
    /// </summary>
    Arithmetic,
}
