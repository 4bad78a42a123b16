using System.Buffers.Binary;
using Chat.ModelBuilder.Onnx;

namespace Chat.TestSupport.Classification;

/// <summary>
/// Recomputes a classifier's probabilities in plain C# from the initializers of its model.onnx
/// (mean, scale, weights, bias), independently of ONNX Runtime, to check what the served model says.
/// </summary>
public sealed class ReferenceClassifier
{
    private readonly float[] _mean;
    private readonly float[] _scale;
    private readonly float[] _weights;
    private readonly float[] _bias;

    private ReferenceClassifier(float[] mean, float[] scale, float[] weights, float[] bias)
    {
        _mean = mean;
        _scale = scale;
        _weights = weights;
        _bias = bias;
    }

    public int FeatureCount => _mean.Length;

    public int LabelCount => _bias.Length;

    public static ReferenceClassifier Load(string versionFolder)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(versionFolder, "model.onnx")));
        float[] Initializer(string name)
        {
            var tensor = model.Graph.Initializer.Single(t => t.Name == name);
            var bytes = tensor.RawData.Span;
            var values = new float[bytes.Length / sizeof(float)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            }

            return values;
        }

        return new ReferenceClassifier(Initializer("mean"), Initializer("scale"), Initializer("weights"), Initializer("bias"));
    }

    public double[] Probabilities(ReadOnlySpan<float> row)
    {
        var logits = new double[LabelCount];
        for (var c = 0; c < LabelCount; c++)
        {
            var z = (double)_bias[c];
            for (var j = 0; j < FeatureCount; j++)
            {
                z += ((double)row[j] - _mean[j]) * _scale[j] * _weights[(j * LabelCount) + c];
            }

            logits[c] = z;
        }

        var max = logits.Max();
        var exp = logits.Select(z => Math.Exp(z - max)).ToArray();
        var sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }

    public int Predict(ReadOnlySpan<float> row)
    {
        var p = Probabilities(row);
        return Array.IndexOf(p, p.Max());
    }
}
