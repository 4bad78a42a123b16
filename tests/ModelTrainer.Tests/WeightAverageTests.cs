using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Model;
using Chat.ModelTrainer.Training;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Tests;

/// <summary>
/// The moving average of the weights: its update rule, its place in the checkpoint (kept on resume, read by
/// eval and export with --weights averaged), and the errors when a run keeps none or the decay is out of range.
/// </summary>
public sealed class WeightAverageTests : IDisposable
{
    private readonly string _directory;

    public WeightAverageTests()
    {
        TorchSharpNative.EnsureLoaded();
        _directory = Directory.CreateTempSubdirectory("trainer-average-").FullName;
    }

    [Fact]
    public void An_update_moves_the_average_one_minus_the_decay_of_the_way_to_the_weights()
    {
        var format = new ChatFormat();
        using var model = Checkpoint.NewModel(TinyRun.Options(_directory, 1, resume: false).Spec, format);
        using var average = new WeightAverage(model, decay: 0.75);
        var before = model.ToWeights();
        using (no_grad())
        {
            foreach (var parameter in model.parameters())
            {
                parameter.add_(1.0f);
            }
        }

        average.Update();

        var averaged = average.Model.ToWeights();
        Assert.Equal(before.Embedding.Select(v => v + 0.25f), averaged.Embedding, new Near(1e-6f));
        Assert.Equal(before.Layers[0].QProj.Select(v => v + 0.25f), averaged.Layers[0].QProj, new Near(1e-6f));
        Assert.Equal(before.FinalNorm.Select(v => v + 0.25f), averaged.FinalNorm, new Near(1e-6f));
        Assert.Equal(before.Embedding.Select(v => v + 1f), model.ToWeights().Embedding, new Near(1e-6f)); // the model itself is untouched
    }

    [Fact]
    public void A_run_keeps_its_average_in_the_checkpoint_and_resume_carries_it_on()
    {
        var first = new Trainer(TinyRun.Options(_directory, steps: 3, resume: false) with { AverageDecay = 0.5 }, TextWriter.Null).Run();
        Assert.Equal(0.5, first.AverageDecay);
        var format = new ChatFormat();
        var (final, _) = Checkpoint.LoadModel(_directory, format);
        var (averaged, state) = Checkpoint.LoadModel(_directory, format, CheckpointWeights.Averaged);
        Assert.Equal(3, state.Step);
        Assert.NotEqual(final.ToWeights().Layers[0].GateProj, averaged.ToWeights().Layers[0].GateProj); // an average of three steps, not the last one

        var log = new StringWriter();
        var resumed = new Trainer(TinyRun.Options(_directory, steps: 4, resume: true) with { AverageDecay = 0 }, log).Run();
        Assert.Equal(0.5, resumed.AverageDecay);
        Assert.Contains("a weight average with decay 0.5", log.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(averaged.ToWeights().Layers[0].GateProj, Checkpoint.LoadModel(_directory, format, CheckpointWeights.Averaged).Model.ToWeights().Layers[0].GateProj);
    }

    [Fact]
    public void A_run_without_an_average_says_so_when_eval_asks_for_it()
    {
        new Trainer(TinyRun.Options(_directory, steps: 1, resume: false) with { AverageDecay = 0 }, TextWriter.Null).Run();
        Assert.Null(TrainingState.Read(Checkpoint.StatePath(_directory)).AverageDecay);

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadModel(_directory, new ChatFormat(), CheckpointWeights.Averaged));
        Assert.Contains("--average-decay", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Cli.Run(["eval", "--out", _directory, "--weights", "averaged", "--per-skill", "1"]));
        Assert.Equal(2, Cli.Run(["eval", "--out", _directory, "--weights", "mean", "--per-skill", "1"]));
        Assert.Equal(2, Cli.Run(["eval", "--out", _directory, "--split", "test", "--per-skill", "1"]));
        Assert.Equal(0, Cli.Run(["eval", "--out", _directory, "--split", "training", "--per-skill", "1", "--show-mistakes", "0"]));
        Assert.StartsWith("training-side exact match after 1 steps", File.ReadAllText(Path.Combine(_directory, "eval.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_decay_outside_0_to_below_1_is_refused_naming_the_flag(double decay)
    {
        var options = TinyRun.Options(_directory, steps: 1, resume: false) with { AverageDecay = decay };
        Assert.Contains("--average-decay", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Near(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float value) => 0;
    }
}
