using System.Runtime.InteropServices;
using Chat.ModelBuilder.Onnx;
using Google.Protobuf;

namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>
/// Writes a model with its weights either inline (raw_data) or in one external data file, the way
/// onnx.save_model(..., save_as_external_data=True) lays them out: consecutive, in declaration order.
/// </summary>
internal static class OnnxModelFile
{
    /// <summary>
    /// Above this many weight bytes the weights go to model.onnx.data. Protobuf caps a message at
    /// 2 GB, so the large presets must go external; keeping small models in one file is simpler to ship.
    /// </summary>
    public const long ExternalDataThresholdBytes = 32L << 20;

    public const string ExternalDataSuffix = ".data";

    public static void Write(ModelProto model, OnnxGraphBuilder graph, string path)
    {
        var totalBytes = graph.Weights.Sum(w => (long)w.Values.Length * sizeof(float));
        var external = totalBytes > ExternalDataThresholdBytes;
        var dataName = Path.GetFileName(path) + ExternalDataSuffix;
        var dataPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataName);
        if (!external && File.Exists(dataPath))
        {
            File.Delete(dataPath);
        }

        using var data = external ? new FileStream(dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20) : null;
        long offset = 0;
        var initializers = new List<TensorProto>(graph.Weights.Count);
        foreach (var (name, dims, values) in graph.Weights)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.AddRange(dims);
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            if (data is null)
            {
                tensor.RawData = ByteString.CopyFrom(bytes);
            }
            else
            {
                data.Write(bytes);
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = dataName });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                offset += bytes.Length;
            }

            initializers.Add(tensor);
        }

        // Weights first, then the small constants, so readers meet the parameters in model order.
        var constants = graph.Graph.Initializer.ToList();
        graph.Graph.Initializer.Clear();
        graph.Graph.Initializer.AddRange(initializers);
        graph.Graph.Initializer.AddRange(constants);
        model.Graph = graph.Graph;

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        model.WriteTo(file);
    }
}
