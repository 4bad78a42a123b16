using System.Text;
using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Training;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Tests;

/// <summary>
/// The digit loss weight: digits and '-' count that many times in the mean over trained tokens, every
/// other trained token once, and tokens outside assistant turns (ignored targets) not at all.
/// </summary>
public sealed class DigitLossWeightTests
{
    public DigitLossWeightTests() => TorchSharpNative.EnsureLoaded();

    [Fact]
    public void Digits_and_minus_get_the_weight_and_every_other_token_one()
    {
        var format = new ChatFormat();
        Assert.Null(Trainer.ClassWeights(format, 1));
        using var weights = Trainer.ClassWeights(format, 2.5)!;
        var values = weights.data<float>().ToArray();
        Assert.Equal(format.Vocab, values.Length);
        var weighted = Encoding.ASCII.GetBytes("-0123456789").Select(b => (int)b).ToHashSet();
        for (var id = 0; id < values.Length; id++)
        {
            Assert.Equal(weighted.Contains(id) ? 2.5f : 1f, values[id]);
        }
    }

    [Fact]
    public void The_loss_is_the_weighted_mean_over_trained_tokens()
    {
        var format = new ChatFormat();
        using var weights = Trainer.ClassWeights(format, 3)!;
        var generator = new Random(7);
        var logitValues = Enumerable.Range(0, 4 * format.Vocab).Select(_ => (float)((generator.NextDouble() * 4) - 2)).ToArray();
        using var logits = tensor(logitValues, [2, 2, format.Vocab]);
        long[] targets = ['7', 'a', PackedBatch.Ignored, '-'];
        using var targetTensor = tensor(targets, [2, 2]);

        using var loss = Trainer.Loss(logits, targetTensor, weights);

        double sum = 0, weightSum = 0;
        for (var row = 0; row < targets.Length; row++)
        {
            if (targets[row] == PackedBatch.Ignored)
            {
                continue;
            }

            var rowLogits = logitValues.Skip(row * format.Vocab).Take(format.Vocab).Select(v => (double)v).ToArray();
            var max = rowLogits.Max();
            var logSumExp = max + Math.Log(rowLogits.Sum(v => Math.Exp(v - max)));
            var weight = targets[row] == 'a' ? 1.0 : 3.0;
            sum += weight * (logSumExp - rowLogits[targets[row]]);
            weightSum += weight;
        }

        Assert.Equal(sum / weightSum, loss.item<float>(), precision: 4);
    }
}
