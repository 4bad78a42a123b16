using Chat.ModelTrainer.Corpus;

namespace Chat.ModelTrainer.Training;

/// <summary>The held-out exact-match floors of issue 10's acceptance, per skill.</summary>
public static class AccuracyFloors
{
    public static double For(Skill skill) => skill switch
    {
        Skill.Multiply => 0.95,
        Skill.Sort => 0.90,
        Skill.Memory or Skill.FollowUp or Skill.SmallTalk => 1.0,
        // The contract sets no floor for "anything else"; it is measured and reported all the same.
        Skill.Fallback => 0.0,
        _ => 0.99,
    };

    /// <summary>Skills below their floor, with the measured and required accuracy.</summary>
    public static IReadOnlyList<(Skill Skill, double Accuracy, double Floor)> Misses(EvalReport report) =>
        report.BySkill.Where(pair => pair.Value < For(pair.Key))
            .Select(pair => (pair.Key, pair.Value, For(pair.Key)))
            .OrderBy(miss => miss.Key)
            .ToList();
}
