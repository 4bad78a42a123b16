using System.Text.Json;
using Chat.ModelBuilder.Decoder;
using Chat.ModelTrainer.Corpus;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// Where a run stands: saved beside the weights in each checkpoint, read back by --resume, export and eval.
/// <paramref name="DigitLossWeight"/> is part of the recipe like the data seed, so --resume keeps it (null in
/// checkpoints written before it was recorded: --resume then uses the command line's). So are the
/// optimizer and Muon's learning rate (checkpoints written before them trained with AdamW only), the
/// share of draws replaying mistakes (<see cref="ReplayBuffer"/>) and the share of hard arithmetic draws
/// (<see cref="TrainingOptions.HardArithmetic"/>); for those two, null in an older checkpoint means none.
/// The skill mix too (null in an older checkpoint: <see cref="SkillMix.Balanced"/>, the only one then), and the
/// share of matched-digit draws (<see cref="TrainingOptions.MatchedDigits"/>; null: none) and of small-difference draws
/// (<see cref="TrainingOptions.SmallDifferences"/>; null: none), and which operations the hard share applies to
/// (<see cref="TrainingOptions.HardFor"/>; null: all), and the decay of the weight average (<see cref="TrainingOptions.AverageDecay"/>;
/// null: none kept), and the share of follow-ups crossing zero (<see cref="TrainingOptions.CrossingFollowUps"/>; null: none), and
/// the share of conversations following up a negative difference (<see cref="TrainingOptions.NegativeFollowUps"/>; null: none), and the
/// share of follow-ups carrying into the hundreds (<see cref="TrainingOptions.CarryFollowUps"/>; null: none), and the share of sums and
/// differences carrying into the hundreds (<see cref="TrainingOptions.CarryArithmetic"/>; null: none).
/// </summary>
public sealed record TrainingState(DecoderSpec Spec, int DataSeed, int Step, double ElapsedSeconds, long Tokens, double? Minutes, int? Steps,
    double? DigitLossWeight = null, TrainingOptimizer Optimizer = TrainingOptimizer.AdamW, double? MuonLearningRate = null,
    double? ReplayFraction = null, double? HardArithmetic = null, SkillMix? Mix = null, double? MatchedDigits = null,
    double? SmallDifferences = null, HardArithmeticScope? HardFor = null, double? AverageDecay = null, double? CrossingFollowUps = null,
    double? NegativeFollowUps = null, double? CarryFollowUps = null, double? CarryArithmetic = null)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static TrainingState Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no training checkpoint at '{path}' (run 'train --out DIR' first).", path);
        }

        return JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"'{path}' holds no training state.");
    }

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}
