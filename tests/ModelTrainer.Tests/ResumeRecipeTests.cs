using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Training;

namespace Chat.ModelTrainer.Tests;

/// <summary>
/// --resume continues the recipe in the checkpoint: the digit loss weight, optimizer and hard arithmetic
/// share of the run, not the command line's; a share outside its range is refused.
/// </summary>
public sealed class ResumeRecipeTests : IDisposable
{
    private readonly string _directory;

    public ResumeRecipeTests()
    {
        TorchSharpNative.EnsureLoaded();
        _directory = Directory.CreateTempSubdirectory("trainer-resume-").FullName;
    }

    [Fact]
    public void Resume_keeps_the_digit_loss_weight_of_the_checkpoint()
    {
        var first = new Trainer(Options(steps: 2, digitWeight: 3, resume: false), TextWriter.Null).Run();
        Assert.Equal(3, first.DigitLossWeight);
        Assert.Equal(3, TrainingState.Read(Checkpoint.StatePath(_directory)).DigitLossWeight);

        var log = new StringWriter();
        var resumed = new Trainer(Options(steps: 3, digitWeight: 1, resume: true), log).Run();
        Assert.Equal(3, resumed.Step);
        Assert.Equal(3, resumed.DigitLossWeight);
        Assert.Contains("digit loss weight 3,", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_without_a_recorded_weight_resumes_with_the_command_line_weight()
    {
        new Trainer(Options(steps: 1, digitWeight: 2, resume: false), TextWriter.Null).Run();
        var path = Checkpoint.StatePath(_directory);
        (TrainingState.Read(path) with { DigitLossWeight = null }).Write(path);

        var resumed = new Trainer(Options(steps: 2, digitWeight: 1.5, resume: true), TextWriter.Null).Run();
        Assert.Equal(1.5, resumed.DigitLossWeight);
    }

    [Fact]
    public void Resume_keeps_a_muon_run_on_muon_with_its_momentum()
    {
        var first = new Trainer(Options(steps: 2, digitWeight: 2, resume: false) with { Optimizer = TrainingOptimizer.Muon, MuonLearningRate = 0.03 }, TextWriter.Null).Run();
        Assert.Equal(TrainingOptimizer.Muon, first.Optimizer);
        Assert.True(File.Exists(Path.Combine(Checkpoint.Folder(_directory), "muon.dat")));

        var log = new StringWriter();
        var resumed = new Trainer(Options(steps: 3, digitWeight: 2, resume: true) with { Optimizer = TrainingOptimizer.AdamW, MuonLearningRate = 0.01 }, log).Run();
        Assert.Equal(3, resumed.Step);
        Assert.Equal(TrainingOptimizer.Muon, resumed.Optimizer);
        Assert.Equal(0.03, resumed.MuonLearningRate);
        Assert.Contains("Muon (lr 0.03)", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_adamw_checkpoint_resumes_with_adamw_only()
    {
        new Trainer(Options(steps: 1, digitWeight: 2, resume: false) with { Optimizer = TrainingOptimizer.AdamW }, TextWriter.Null).Run();
        Assert.False(File.Exists(Path.Combine(Checkpoint.Folder(_directory), "muon.dat")));

        var resumed = new Trainer(Options(steps: 2, digitWeight: 2, resume: true) with { Optimizer = TrainingOptimizer.Muon }, TextWriter.Null).Run();
        Assert.Equal(TrainingOptimizer.AdamW, resumed.Optimizer);
        Assert.Null(resumed.MuonLearningRate);
    }

    [Fact]
    public void Resume_keeps_the_hard_arithmetic_share_and_scope_of_the_checkpoint()
    {
        var first = new Trainer(Options(steps: 2, digitWeight: 2, resume: false) with { HardArithmetic = 0.5, HardFor = HardArithmeticScope.All },
            TextWriter.Null).Run();
        Assert.Equal((0.5, HardArithmeticScope.All), (first.HardArithmetic, first.HardFor));
        Assert.Equal(0.5, TrainingState.Read(Checkpoint.StatePath(_directory)).HardArithmetic);

        var log = new StringWriter();
        var resumed = new Trainer(Options(steps: 3, digitWeight: 2, resume: true) with { HardArithmetic = 0, HardFor = HardArithmeticScope.Multiply }, log).Run();
        Assert.Equal(3, resumed.Step);
        Assert.Equal((0.5, HardArithmeticScope.All), (resumed.HardArithmetic, resumed.HardFor));
        Assert.Contains("0.5 of the arithmetic with three-digit operands", log.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--hard-arithmetic", 1.5)]
    [InlineData("--hard-arithmetic", -0.1)]
    [InlineData("--hard-arithmetic", double.NaN)]
    [InlineData("--matched-digits", 1.5)]
    [InlineData("--matched-digits", -0.1)]
    [InlineData("--matched-digits", double.NaN)]
    [InlineData("--small-differences", 1.01)]
    [InlineData("--small-differences", -1)]
    [InlineData("--crossing-follow-ups", 2)]
    [InlineData("--crossing-follow-ups", -0.5)]
    [InlineData("--negative-follow-ups", 1.2)]
    [InlineData("--negative-follow-ups", double.NaN)]
    [InlineData("--carry-follow-ups", 1.5)]
    [InlineData("--carry-follow-ups", -0.2)]
    [InlineData("--carry-arithmetic", 1.1)]
    [InlineData("--carry-arithmetic", double.NaN)]
    public void A_share_outside_0_to_1_is_refused_naming_its_flag(string flag, double share)
    {
        var options = Options(steps: 1, digitWeight: 2, resume: false);
        options = flag switch
        {
            "--hard-arithmetic" => options with { HardArithmetic = share },
            "--matched-digits" => options with { MatchedDigits = share },
            "--crossing-follow-ups" => options with { CrossingFollowUps = share },
            "--negative-follow-ups" => options with { NegativeFollowUps = share },
            "--carry-follow-ups" => options with { CarryFollowUps = share },
            "--carry-arithmetic" => options with { CarryArithmetic = share },
            _ => options with { SmallDifferences = share },
        };
        Assert.Contains(flag, Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_keeps_the_skill_mix_and_matched_digit_small_difference_crossing_and_negative_shares_of_the_checkpoint()
    {
        var first = new Trainer(Options(steps: 2, digitWeight: 2, resume: false)
            with { Mix = SkillMix.Balanced, MatchedDigits = 0.25, SmallDifferences = 0.3, CrossingFollowUps = 0.4, NegativeFollowUps = 0.2, CarryFollowUps = 0.3, CarryArithmetic = 0.35 }, TextWriter.Null).Run();
        Assert.Equal((SkillMix.Balanced, 0.25, 0.3, 0.4), (first.Mix, first.MatchedDigits, first.SmallDifferences, first.CrossingFollowUps));

        var log = new StringWriter();
        var resumed = new Trainer(Options(steps: 3, digitWeight: 2, resume: true)
            with { Mix = SkillMix.Arithmetic, MatchedDigits = 0, SmallDifferences = 0, CrossingFollowUps = 0, NegativeFollowUps = 0, CarryFollowUps = 0, CarryArithmetic = 0 }, log).Run();
        Assert.Equal(3, resumed.Step);
        Assert.Equal((SkillMix.Balanced, 0.25, 0.3, 0.4), (resumed.Mix, resumed.MatchedDigits, resumed.SmallDifferences, resumed.CrossingFollowUps));
        Assert.Equal((0.2, 0.3, 0.35), (resumed.NegativeFollowUps, resumed.CarryFollowUps, resumed.CarryArithmetic));
        Assert.Contains("0.35 of the other sums and differences carrying into or borrowing from the hundreds or just short", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("0.3 of the follow-ups on 100 or more carrying into or borrowing from the hundreds or just short", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("0.2 of the conversations a follow-up on a negative difference", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("0.4 of the follow-ups after a result from -98 to -1 adding across zero", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("0.25 of the other sums and differences with matched digits", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("0.3 of the other differences and the follow-ups with an answer from -9 to 9", log.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("the arithmetic skill mix", log.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private TrainingOptions Options(int steps, double digitWeight, bool resume) =>
        TinyRun.Options(_directory, steps, resume) with { DigitLossWeight = digitWeight };
}
