using Chat.ModelTrainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// An exponential moving average of a model's weights, kept beside them during training (a copy of the
/// model, updated after every optimizer step: a = decay * a + (1 - decay) * w). Late in a run the
/// optimizer's steps still jitter the weights around a good point; the average sits nearer that point.
/// The checkpoint keeps it (<c>averaged.dat</c>); eval and export read it with <c>--weights averaged</c>.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly Tensor[] _source;
    private readonly Tensor[] _average;

    /// <summary>An average of <paramref name="model"/> starting at <paramref name="start"/> (same spec), or at the model's own weights.</summary>
    public WeightAverage(ChatDecoder model, double decay, ChatDecoder? start = null)
    {
        if (decay is <= 0 or >= 1 || double.IsNaN(decay))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "the decay is above 0 and below 1.");
        }

        Decay = decay;
        Model = start ?? ChatDecoder.FromWeights(model.Spec, model.ToWeights(), model.Vocab);
        _source = model.parameters().ToArray();
        _average = Model.parameters().ToArray();
        if (_source.Length != _average.Length || _source.Zip(_average).Any(pair => !pair.First.shape.SequenceEqual(pair.Second.shape)))
        {
            throw new ArgumentException("the average and the model have different shapes.", nameof(start));
        }
    }

    public double Decay { get; }

    /// <summary>The averaged weights as a model (for evaluation and export).</summary>
    public ChatDecoder Model { get; }

    /// <summary>Moves the average towards the source model's current weights.</summary>
    public void Update()
    {
        using var noGrad = no_grad();
        for (var i = 0; i < _source.Length; i++)
        {
            _average[i].lerp_(_source[i], 1 - Decay);
        }
    }

    public void Dispose() => Model.Dispose();
}
