using Chat.ModelBuilder.Decoder.Internal;
using Chat.ModelBuilder.Onnx;
using Google.Protobuf;

namespace Chat.ModelBuilder.Classifier.Internal;

/// <summary>
/// The served graph: features [N,F] -> Sub mean -> Mul 1/std -> MatMul W -> Add b -> Softmax(axis 1)
/// -> probabilities [N,C]. Standardization lives in the graph so callers send raw measurements.
/// </summary>
internal static class ClassifierOnnxWriter
{
    public const string InputName = "features";
    public const string OutputName = "probabilities";

    public static byte[] Write(SoftmaxRegression model, string name)
    {
        var features = model.Mean.Length;
        var classes = model.Bias.Length;
        var weights = new float[features * classes];
        for (var j = 0; j < features; j++)
        {
            for (var c = 0; c < classes; c++)
            {
                weights[(j * classes) + c] = (float)model.Weights[j, c];
            }
        }

        var graph = new GraphProto { Name = name };
        graph.Input.Add(Value(InputName, features));
        graph.Output.Add(Value(OutputName, classes));
        graph.Initializer.Add(Tensor("mean", [features], model.Mean.Select(v => (float)v).ToArray()));
        graph.Initializer.Add(Tensor("scale", [features], model.Scale.Select(v => (float)v).ToArray()));
        graph.Initializer.Add(Tensor("weights", [features, classes], weights));
        graph.Initializer.Add(Tensor("bias", [classes], model.Bias.Select(v => (float)v).ToArray()));
        graph.Node.Add(Node("Sub", [InputName, "mean"], "centered"));
        graph.Node.Add(Node("Mul", ["centered", "scale"], "standardized"));
        graph.Node.Add(Node("MatMul", ["standardized", "weights"], "scores"));
        graph.Node.Add(Node("Add", ["scores", "bias"], "logits"));
        var softmax = Node("Softmax", ["logits"], OutputName);
        softmax.Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        graph.Node.Add(softmax);

        var onnx = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Chat.ModelBuilder",
            ProducerVersion = "1",
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        return onnx.ToByteArray();
    }

    /// <summary>[batch, width] float, batch symbolic.</summary>
    private static ValueInfoProto Value(string name, int width) =>
        OnnxGraphBuilder.ValueInfo(name, TensorProto.Types.DataType.Float, "batch", width);

    private static TensorProto Tensor(string name, long[] dims, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = op.ToLowerInvariant() + "_" + output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }
}
