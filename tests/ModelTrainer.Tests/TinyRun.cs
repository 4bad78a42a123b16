using Chat.ModelBuilder.Decoder;
using Chat.ModelTrainer.Training;

namespace Chat.ModelTrainer.Tests;

/// <summary>Options of a training run small enough for a unit test: one tiny layer, two 64-token rows, float32, a progress line every step.</summary>
internal static class TinyRun
{
    public static TrainingOptions Options(string directory, int steps, bool resume) => new()
    {
        OutDirectory = directory,
        Spec = new DecoderSpec(Layers: 1, Hidden: 16, Heads: 2, KvHeads: 1, Intermediate: 32, Vocab: null, Context: 64, Seed: 7),
        Steps = steps,
        Resume = resume,
        Rows = 2,
        RowLength = 64,
        WarmupSteps = 1,
        BFloat16Matmuls = false,
        ProgressInterval = TimeSpan.Zero,
        ProgressEvalPerSkill = 1,
    };
}
