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
        foreach (var group in Groups())
        {
            // Momentum and the Nesterov look-ahead per matrix; the orthogonalization of a group of same-shape
            // updates as one batch (three batched matmuls per iteration in place of three per matrix).
            var updates = new Tensor[group.Length];
            for (var j = 0; j < group.Length; j++)
            {
                var (gradient, buffer) = (_parameters[group[j]].grad!, _momentum[group[j]]);
                buffer.mul_(Momentum).add_(gradient, 1 - Momentum);
                updates[j] = gradient.mul(1 - Momentum).add_(buffer, Momentum);
            }

            var orthogonal = Orthogonalize(stack(updates), NewtonSchulzSteps);
            for (var j = 0; j < group.Length; j++)
            {
                var parameter = _parameters[group[j]];
                var (fanIn, fanOut) = (parameter.shape[0], parameter.shape[1]); // [in, out]: the ONNX layout, x @ W
                if (WeightDecay > 0)
                {
                    parameter.mul_(1 - (LearningRate * WeightDecay));
                }

                parameter.add_(orthogonal[j], -LearningRate * Math.Sqrt(Math.Max(1.0, fanOut / (double)fanIn)));
            }
        }
    }

    /// <summary>The indices of the parameters that have a gradient, grouped by shape (in first-seen order).</summary>
    private IEnumerable<int[]> Groups() => Enumerable.Range(0, _parameters.Length)
        .Where(i => _parameters[i].grad is not null)
        .GroupBy(i => (_parameters[i].shape[0], _parameters[i].shape[1]))
        .Select(group => group.ToArray());

    /// <summary>
    /// An approximation of U V^T for G = U S V^T: G scaled to spectral norm at most 1 (by its Frobenius
    /// norm), then X = aX + (bXX^T + c(XX^T)^2)X, on the side where XX^T is the smaller Gram matrix.
    /// Singular values land in roughly [0.7, 1.2], which is what the update needs; the direction is exact.
    /// A [n, rows, columns] batch orthogonalizes each of its n matrices on its own.
    /// </summary>
    public static Tensor Orthogonalize(Tensor gradient, int steps)
    {
        var wide = gradient.shape[^2] <= gradient.shape[^1];
        var x = wide ? gradient : gradient.transpose(-2, -1);
        x = x.div(x.square().sum([-2, -1], keepdim: true).sqrt().add(1e-7));
        for (var i = 0; i < steps; i++)
        {
            var gram = x.matmul(x.transpose(-2, -1));
            var polynomial = gram.matmul(gram).mul_(C).add_(gram, B);
            x = polynomial.matmul(x).add_(x, A);
        }

        return wide ? x : x.transpose(-2, -1);
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
