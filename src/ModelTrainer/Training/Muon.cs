using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// Muon (K. Jordan et al., 2024, "Muon: an optimizer for hidden layers"): SGD momentum (Nesterov) whose
/// update of each 2-D weight is replaced by the nearest semi-orthogonal matrix, computed with five
/// Newton-Schulz iterations, then scaled by sqrt(max(1, fan_out / fan_in)). Used for the projection
/// matrices only; embeddings and norms stay with AdamW. Weight decay is decoupled (p *= 1 - lr * wd).
/// </summary>
public sealed class Muon : IDisposable
{
    /// <summary>The quintic iteration's coefficients from the reference implementation (fast, not exact convergence to 1).</summary>
    private const float A = 3.4445f, B = -4.7750f, C = 2.0315f;

    private readonly Parameter[] _parameters;
    private readonly Tensor[] _momentum;

    public Muon(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0.95, double weightDecay = 0, int newtonSchulzSteps = 5)
    {
        _parameters = parameters.ToArray();
        if (_parameters.Any(p => p.dim() != 2))
        {
            throw new ArgumentException("Muon updates 2-D weight matrices only.", nameof(parameters));
        }

        _momentum = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        NewtonSchulzSteps = newtonSchulzSteps;
    }

    public double LearningRate { get; set; }

    public double Momentum { get; }

    public double WeightDecay { get; }

    public int NewtonSchulzSteps { get; }

    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            if (parameter.grad is not { } gradient)
            {
                continue;
            }

            var buffer = _momentum[i];
            buffer.mul_(Momentum).add_(gradient, 1 - Momentum);
            var nesterov = gradient.mul(1 - Momentum).add_(buffer, Momentum);
            var update = Orthogonalize(nesterov, NewtonSchulzSteps);
            var (fanIn, fanOut) = (parameter.shape[0], parameter.shape[1]); // [in, out]: the ONNX layout, x @ W
            if (WeightDecay > 0)
            {
                parameter.mul_(1 - (LearningRate * WeightDecay));
            }

            parameter.add_(update, -LearningRate * Math.Sqrt(Math.Max(1.0, fanOut / (double)fanIn)));
        }
    }

    /// <summary>
    /// An approximation of U V^T for G = U S V^T: G scaled to spectral norm at most 1 (by its Frobenius
    /// norm), then X = aX + (bXX^T + c(XX^T)^2)X, on the side where XX^T is the smaller Gram matrix.
    /// Singular values land in roughly [0.7, 1.2], which is what the update needs; the direction is exact.
    /// </summary>
    public static Tensor Orthogonalize(Tensor gradient, int steps)
    {
        var wide = gradient.shape[0] <= gradient.shape[1];
        var x = wide ? gradient : gradient.t();
        x = x.div(x.norm().add(1e-7));
        for (var i = 0; i < steps; i++)
        {
            var gram = x.matmul(x.t());
            var polynomial = addmm(gram, gram, gram, beta: B, alpha: C);
            x = addmm(x, polynomial, x, beta: A, alpha: 1);
        }

        return wide ? x : x.t();
    }

    /// <summary>The momentum buffers, in parameter order (the checkpoint's muon.dat).</summary>
    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(_momentum.Length);
        foreach (var buffer in _momentum)
        {
            buffer.Save(writer);
        }
    }

    public void Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadInt32() != _momentum.Length)
        {
            throw new InvalidDataException($"'{path}' holds momentum for a different set of weights.");
        }

        using var noGrad = no_grad();
        foreach (var buffer in _momentum)
        {
            buffer.Load(reader);
        }
    }

    public void Dispose()
    {
        foreach (var buffer in _momentum)
        {
            buffer.Dispose();
        }
    }
}
