using System.Globalization;
using System.Text;
using System.Text.Json;
using Chat.ModelTrainer.Corpus;

namespace Chat.ModelTrainer.Training;

/// <summary>Exact-match results of an evaluation, per skill and overall.</summary>
public sealed class EvalReport(IReadOnlyList<EvalCase> cases, IReadOnlyList<string> replies)
{
    /// <summary>The run folder's machine-readable results (copied beside the shipped model as <c>models/chat-default-eval.json</c>).</summary>
    public const string JsonName = "eval.json";

    public IReadOnlyList<EvalCase> Cases { get; } = cases;

    public IReadOnlyList<string> Replies { get; } = replies;

    public double Accuracy => Cases.Count == 0 ? 0 : Correct(Enumerable.Range(0, Cases.Count)) / (double)Cases.Count;

    public IReadOnlyDictionary<Skill, double> BySkill => Enumerable.Range(0, Cases.Count)
        .GroupBy(i => Cases[i].Skill)
        .ToDictionary(group => group.Key, group => Correct(group) / (double)group.Count());

    /// <summary>A Markdown table: skill, cases, exact match.</summary>
    public string ToTable()
    {
        var table = new StringBuilder("| skill | held-out cases | exact match |\n|---|---|---|\n");
        foreach (var group in Enumerable.Range(0, Cases.Count).GroupBy(i => Cases[i].Skill))
        {
            table.Append(CultureInfo.InvariantCulture, $"| {group.Key} | {group.Count()} | {100.0 * Correct(group) / group.Count():0.0}% |\n");
        }

        return table.ToString();
    }

    /// <summary>Exact match per skill (fractions), case counts, and the training step and time it was measured at.</summary>
    public string ToJson(int step, double trainingSeconds) => JsonSerializer.Serialize(
        new Dictionary<string, object>
        {
            ["step"] = step,
            ["training_seconds"] = Math.Round(trainingSeconds, 1),
            ["overall"] = Accuracy,
            ["cases"] = Enumerable.Range(0, Cases.Count).GroupBy(i => Cases[i].Skill).ToDictionary(g => g.Key.ToString(), g => g.Count()),
            ["exact_match"] = BySkill.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value),
        },
        new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Up to <paramref name="perSkill"/> wrong replies of every skill, in case order.</summary>
    public IEnumerable<string> Mistakes(int perSkill) => Enumerable.Range(0, Cases.Count)
        .Where(i => Replies[i] != Cases[i].Expected)
        .GroupBy(i => Cases[i].Skill)
        .SelectMany(group => group.Take(perSkill))
        .Select(i => $"{Cases[i].Skill}: \"{Cases[i].Prompt[^1].Content}\" -> \"{Replies[i]}\" (expected \"{Cases[i].Expected}\")");

    private int Correct(IEnumerable<int> indices) => indices.Count(i => Replies[i] == Cases[i].Expected);
}
