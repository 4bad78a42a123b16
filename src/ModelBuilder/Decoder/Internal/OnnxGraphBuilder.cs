using Chat.ModelBuilder.Onnx;
using Google.Protobuf;

namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>
/// Accumulates nodes, weights and small constants of one graph. Weight arrays are kept by reference
/// and copied only once, when <see cref="OnnxModelFile"/> writes them.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);

    public GraphProto Graph { get; } = new() { Name = "main_graph" };

    /// <summary>Float weights in declaration order; the model file decides inline or external storage.</summary>
    public List<(string Name, long[] Dims, float[] Values)> Weights { get; } = [];

    public string Weight(string name, float[] values, params long[] dims)
    {
        Weights.Add((name, dims, values));
        return name;
    }

    /// <summary>A single-output node named after the reference builder's "/path/Op" convention.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, string domain = "", params AttributeProto[] attributes)
        => NodeOutputs(opType, name, inputs, 1, domain, attributes)[0];

    public string[] NodeOutputs(string opType, string name, IEnumerable<string> inputs, int outputs, string domain = "", params AttributeProto[] attributes)
    {
        var names = new string[outputs];
        for (var i = 0; i < outputs; i++)
        {
            names[i] = $"{name}/output_{i}";
        }

        AddNode(opType, name, inputs, names, domain, attributes);
        return names;
    }

    /// <summary>A node with explicit output names (graph outputs, unused optional outputs as "").</summary>
    public void AddNode(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, string domain = "", params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name, Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
    }

    /// <summary>A shared int64 constant (shapes, axes, indices); a scalar when <paramref name="scalar"/> is set.</summary>
    public string Int64(bool scalar, params long[] values)
    {
        var key = (scalar ? "0D/" : "1D/") + string.Join(",", values);
        if (_constants.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var name = "/model/constants/INT64/" + key;
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        if (!scalar)
        {
            tensor.Dims.Add(values.Length);
        }

        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        _constants[key] = name;
        return name;
    }

    public string Int64s(params long[] values) => Int64(false, values);

    /// <summary>A shared float scalar constant.</summary>
    public string Float(float value)
    {
        var key = "F/" + BitConverter.SingleToInt32Bits(value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (_constants.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var name = "/model/constants/FLOAT/0D/" + value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        Graph.Initializer.Add(tensor);
        _constants[key] = name;
        return name;
    }

    public void Input(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Input.Add(ValueInfo(name, type, dims));

    public void Output(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Output.Add(ValueInfo(name, type, dims));

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>Dimensions are ints (fixed) or strings (symbolic, as the reference names them).</summary>
    public static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                string param => new TensorShapeProto.Types.Dimension { DimParam = param },
                _ => throw new ArgumentException($"dimension of '{name}' must be int or string"),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
