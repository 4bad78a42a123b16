namespace Chat.ModelBuilder.Classifier.Internal;

/// <summary>
/// A multinomial logistic regression on standardized features, trained by full-batch gradient
/// descent on the mean cross-entropy plus an L2 penalty on the weights. Rows are visited in a fixed
/// order and all arithmetic is in doubles, so the same data and settings give the same parameters.
/// </summary>
internal sealed class SoftmaxRegression
{
    private SoftmaxRegression(double[] mean, double[] scale, double[,] weights, double[] bias)
    {
        Mean = mean;
        Scale = scale;
        Weights = weights;
        Bias = bias;
    }

    public double[] Mean { get; }

    /// <summary>1 / standard deviation per feature (1 for a constant feature).</summary>
    public double[] Scale { get; }

    /// <summary>[features, classes].</summary>
    public double[,] Weights { get; }

    public double[] Bias { get; }

    public static SoftmaxRegression Train(LabeledDataset data, IReadOnlyList<int> rows, int classes, int epochs, double learningRate, double l2)
    {
        var features = data.FeatureCount;
        var (mean, scale) = Standardization(data, rows);
        var x = new double[rows.Count][];
        for (var r = 0; r < rows.Count; r++)
        {
            var source = data.Rows[rows[r]];
            var standardized = new double[features];
            for (var j = 0; j < features; j++)
            {
                standardized[j] = (source[j] - mean[j]) * scale[j];
            }

            x[r] = standardized;
        }

        var weights = new double[features, classes];
        var bias = new double[classes];
        var gradW = new double[features, classes];
        var gradB = new double[classes];
        var p = new double[classes];
        var inverseCount = 1.0 / rows.Count;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(gradW);
            Array.Clear(gradB);
            for (var r = 0; r < rows.Count; r++)
            {
                Probabilities(x[r], weights, bias, p);
                p[data.Targets[rows[r]]] -= 1.0;
                for (var c = 0; c < classes; c++)
                {
                    gradB[c] += p[c];
                }

                for (var j = 0; j < features; j++)
                {
                    var xj = x[r][j];
                    for (var c = 0; c < classes; c++)
                    {
                        gradW[j, c] += xj * p[c];
                    }
                }
            }

            for (var c = 0; c < classes; c++)
            {
                bias[c] -= learningRate * gradB[c] * inverseCount;
            }

            for (var j = 0; j < features; j++)
            {
                for (var c = 0; c < classes; c++)
                {
                    weights[j, c] -= learningRate * ((gradW[j, c] * inverseCount) + (l2 * weights[j, c]));
                }
            }
        }

        return new SoftmaxRegression(mean, scale, weights, bias);
    }

    public int Predict(double[] row)
    {
        var features = Mean.Length;
        var standardized = new double[features];
        for (var j = 0; j < features; j++)
        {
            standardized[j] = (row[j] - Mean[j]) * Scale[j];
        }

        var p = new double[Bias.Length];
        Probabilities(standardized, Weights, Bias, p);
        var best = 0;
        for (var c = 1; c < p.Length; c++)
        {
            if (p[c] > p[best])
            {
                best = c;
            }
        }

        return best;
    }

    public double Accuracy(LabeledDataset data, IReadOnlyList<int> rows)
    {
        var correct = rows.Count(r => Predict(data.Rows[r]) == data.Targets[r]);
        return (double)correct / rows.Count;
    }

    private static void Probabilities(double[] x, double[,] weights, double[] bias, double[] p)
    {
        var max = double.NegativeInfinity;
        for (var c = 0; c < p.Length; c++)
        {
            var z = bias[c];
            for (var j = 0; j < x.Length; j++)
            {
                z += x[j] * weights[j, c];
            }

            p[c] = z;
            max = Math.Max(max, z);
        }

        var sum = 0.0;
        for (var c = 0; c < p.Length; c++)
        {
            p[c] = Math.Exp(p[c] - max);
            sum += p[c];
        }

        for (var c = 0; c < p.Length; c++)
        {
            p[c] /= sum;
        }
    }

    private static (double[] Mean, double[] Scale) Standardization(LabeledDataset data, IReadOnlyList<int> rows)
    {
        var features = data.FeatureCount;
        var mean = new double[features];
        var scale = new double[features];
        foreach (var r in rows)
        {
            for (var j = 0; j < features; j++)
            {
                mean[j] += data.Rows[r][j];
            }
        }

        for (var j = 0; j < features; j++)
        {
            mean[j] /= rows.Count;
        }

        foreach (var r in rows)
        {
            for (var j = 0; j < features; j++)
            {
                var d = data.Rows[r][j] - mean[j];
                scale[j] += d * d;
            }
        }

        for (var j = 0; j < features; j++)
        {
            var std = Math.Sqrt(scale[j] / rows.Count);

            // A constant feature carries no signal; scaling it by 1 keeps the graph finite.
            scale[j] = std > 0 ? 1.0 / std : 1.0;
        }

        return (mean, scale);
    }
}
