using Chat.ModelTrainer.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Tests;

/// <summary>Muon's orthogonalized update, its step on a real objective, and its momentum surviving a checkpoint.</summary>
public sealed class MuonTests : IDisposable
{
    private readonly string _directory;

    public MuonTests()
    {
        TorchSharpNative.EnsureLoaded();
        _directory = Directory.CreateTempSubdirectory("trainer-muon-").FullName;
    }

    [Theory]
    [InlineData(128, 384)]
    [InlineData(384, 128)]
    [InlineData(64, 64)]
    public void Orthogonalize_brings_every_singular_value_near_one_and_keeps_the_direction(int rows, int columns)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        // Singular values spread over two decades: the raw gradient is far from orthogonal.
        var u = linalg.qr(randn(rows, rows, generator: generator)).Q;
        var v = linalg.qr(randn(columns, columns, generator: generator)).Q;
        var rank = Math.Min(rows, columns);
        var spectrum = logspace(0, 2, rank);
        var gradient = u[.., ..rank].mul(spectrum).matmul(v[.., ..rank].t());

        var update = Muon.Orthogonalize(gradient, steps: 5);

        Assert.Equal(gradient.shape, update.shape);
        var singular = linalg.svdvals(update);
        Assert.InRange(singular.min().item<float>(), 0.5f, 1.0f);
        Assert.InRange(singular.max().item<float>(), 1.0f, 1.3f);
        // The update points along U V^T: its inner product with that exact polar factor is close to the rank.
        var polar = u[.., ..rank].matmul(v[.., ..rank].t());
        Assert.InRange(update.mul(polar).sum().item<float>() / rank, 0.7f, 1.2f);
    }

    [Theory]
    [InlineData(32, 96)]
    [InlineData(96, 32)]
    public void A_batch_is_orthogonalized_matrix_by_matrix(int rows, int columns)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var matrices = Enumerable.Range(0, 3).Select(i => randn(rows, columns, generator: generator).mul(Math.Pow(10, i - 1))).ToArray();

        var batched = Muon.Orthogonalize(stack(matrices), steps: 5);

        Assert.Equal(new long[] { 3, rows, columns }, batched.shape);
        for (var i = 0; i < matrices.Length; i++)
        {
            var alone = Muon.Orthogonalize(matrices[i], steps: 5);
            Assert.True(batched[i].allclose(alone, rtol: 1e-4, atol: 1e-5), $"matrix {i}: max difference {batched[i].sub(alone).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void Steps_minimise_a_least_squares_objective()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var target = randn(16, 32, generator: generator).mul(0.3);
        var weight = new Parameter(zeros(16, 32));
        using var muon = new Muon([weight], learningRate: 0.05);
        float Loss() => weight.sub(target).pow(2).mean().item<float>();
        var initial = Loss();
        for (var i = 0; i < 60; i++)
        {
            weight.grad?.zero_();
            weight.sub(target).pow(2).mean().backward();
            muon.Step();
        }

        Assert.True(Loss() < initial / 4, $"loss {initial} -> {Loss()}");
    }

    [Fact]
    public void Only_matrices_are_accepted()
    {
        var error = Assert.Throws<ArgumentException>(() => new Muon([new Parameter(zeros(8))], learningRate: 0.02));
        Assert.Contains("2-D", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("adamw", TrainingOptimizer.AdamW)]
    [InlineData("Muon", TrainingOptimizer.Muon)]
    public void Parses_the_optimizer_flag(string text, TrainingOptimizer expected) => Assert.Equal(expected, Cli.Choice<TrainingOptimizer>(text, "--optimizer"));

    [Fact]
    public void An_unknown_optimizer_or_a_non_positive_muon_rate_is_rejected_naming_the_flag()
    {
        Assert.Contains("--optimizer", Assert.Throws<ArgumentException>(() => Cli.Choice<TrainingOptimizer>("sgd", "--optimizer")).Message, StringComparison.Ordinal);
        var options = new TrainingOptions { OutDirectory = _directory, Steps = 1, MuonLearningRate = 0 };
        Assert.Contains("--muon-lr", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Momentum_round_trips_through_a_file()
    {
        using var scope = NewDisposeScope();
        var weight = new Parameter(randn(8, 4, generator: new Generator(1)));
        using var first = new Muon([weight], learningRate: 0.02);
        weight.sub(1).pow(2).sum().backward();
        first.Step();
        var path = Path.Combine(_directory, "muon.dat");
        first.Save(path);
        var afterOne = weight.detach().clone();

        // From the same point with the same gradient, the loaded momentum moves the weight exactly as the original.
        var twin = new Parameter(afterOne.clone());
        using var loaded = new Muon([twin], learningRate: 0.02);
        loaded.Load(path);
        weight.grad!.zero_();
        weight.sub(1).pow(2).sum().backward();
        twin.sub(1).pow(2).sum().backward();
        first.Step();
        loaded.Step();
        Assert.True(weight.detach().allclose(twin.detach(), rtol: 0, atol: 1e-6));

        // Without the momentum the same step differs: the file carried state.
        var forgetful = new Parameter(afterOne.clone());
        using var fresh = new Muon([forgetful], learningRate: 0.02);
        forgetful.sub(1).pow(2).sum().backward();
        fresh.Step();
        Assert.False(weight.detach().allclose(forgetful.detach(), rtol: 0, atol: 1e-6));

        var wrongCount = new Muon([new Parameter(zeros(8, 4)), new Parameter(zeros(8, 4))], learningRate: 0.02);
        Assert.Throws<InvalidDataException>(() => wrongCount.Load(path));
        wrongCount.Dispose();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
