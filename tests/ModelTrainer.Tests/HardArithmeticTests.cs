using Chat.ModelTrainer.Training;

namespace Chat.ModelTrainer.Tests;

/// <summary>The hard arithmetic share is part of a run's recipe: recorded, kept by --resume, and validated.</summary>
public sealed class HardArithmeticTests : IDisposable
{
    private readonly string _directory;

    public HardArithmeticTests()
    {
        TorchSharpNative.EnsureLoaded();
        _directory = Directory.CreateTempSubdirectory("trainer-hard-").FullName;
    }

    [Fact]
    public void A_run_records_its_share_and_resume_keeps_it()
    {
        var first = new Trainer(TinyRun.Options(_directory, steps: 2, resume: false) with { HardArithmetic = 0.5 }, TextWriter.Null).Run();
        Assert.Equal(0.5, first.HardArithmetic);
        Assert.Equal(0.5, TrainingState.Read(Checkpoint.StatePath(_directory)).HardArithmetic);

        var log = new StringWriter();
        var resumed = new Trainer(TinyRun.Options(_directory, steps: 3, resume: true), log).Run();
        Assert.Equal(3, resumed.Step);
        Assert.Equal(0.5, resumed.HardArithmetic);
        Assert.Contains("0.5 of the arithmetic with three-digit operands", log.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_share_outside_0_to_1_is_refused_naming_the_flag(double share)
    {
        var options = TinyRun.Options(_directory, steps: 1, resume: false) with { HardArithmetic = share };
        Assert.Contains("--hard-arithmetic", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
