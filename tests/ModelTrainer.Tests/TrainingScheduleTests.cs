using Chat.ModelTrainer.Training;

namespace Chat.ModelTrainer.Tests;

/// <summary>The learning-rate schedule's clock: the larger spent fraction of the step and wall-clock budgets.</summary>
public sealed class TrainingScheduleTests
{
    [Theory]
    [InlineData(13000, 44.0, 6500, 600.0, 0.5)] // ahead of the clock: the steps lead
    [InlineData(13000, 44.0, 1000, 1320.0, 0.5)] // a slow machine: the clock leads, the run ends on time
    [InlineData(13000, null, 6500, 5000.0, 0.5)]
    [InlineData(null, 10.0, 0, 300.0, 0.5)]
    public void Progress_is_the_larger_spent_fraction_of_the_budgets(int? steps, double? minutes, int step, double elapsed, double expected)
    {
        var state = new TrainingState(TrainingOptions.DefaultSpec, DataSeed: 1, step, elapsed, Tokens: 0, minutes, steps);
        Assert.Equal(expected, Trainer.Progress(state), precision: 9);
    }
}
