using System.Security.Cryptography;
using Chat.Inference.Classification.Internal;
using Microsoft.ML.OnnxRuntime;

namespace Chat.Inference.Classification;

/// <summary>
/// One loaded classifier version: its metadata and an ORT session taking features [N,F] float and
/// giving probabilities [N,C] float. <see cref="Predict"/> is safe to call from several threads
/// (ORT sessions allow concurrent runs); the caller owns the buffers.
/// </summary>
public sealed class ClassifierModel : IDisposable
{
    private const int VersionHexLength = 12;

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private ClassifierModel(string folder, ClassifierMetadata metadata, InferenceSession session)
    {
        Folder = folder;
        Metadata = metadata;
        _session = session;
        _inputNames = [metadata.Input];
        _outputNames = [metadata.Output];
    }

    public string Folder { get; }

    public ClassifierMetadata Metadata { get; }

    public string Name => Metadata.Name;

    public string Version => Metadata.Version;

    public int FeatureCount => Metadata.Features.Count;

    public int LabelCount => Metadata.Labels.Count;

    /// <summary>
    /// Loads <c>&lt;root&gt;/&lt;name&gt;/&lt;version&gt;/</c>. The folder names must match the metadata, and the
    /// version must be the leading hex of model.onnx's SHA-256, so a half-copied or edited model is refused.
    /// </summary>
    public static ClassifierModel Load(string folder)
    {
        folder = Path.GetFullPath(folder);
        var metadataPath = Path.Combine(folder, "metadata.json");
        if (!File.Exists(metadataPath))
        {
            throw new InvalidDataException($"{metadataPath}: not found");
        }

        var metadata = ClassifierMetadataReader.Read(metadataPath);
        var version = Path.GetFileName(folder);
        var name = Path.GetFileName(Path.GetDirectoryName(folder));
        if (!string.Equals(metadata.Version, version, StringComparison.Ordinal) || !string.Equals(metadata.Name, name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{metadataPath}: names {metadata.Name}/{metadata.Version} but sits in {name}/{version}");
        }

        var modelPath = Path.Combine(folder, metadata.ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new InvalidDataException($"{modelPath}: not found (named by model_file in {metadataPath})");
        }

        var bytes = File.ReadAllBytes(modelPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..VersionHexLength];
        if (!string.Equals(hash, version, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{modelPath}: SHA-256 starts {hash}, but the version folder is {version}");
        }

        var session = CreateSession(bytes, modelPath);
        try
        {
            CheckShape(session.InputMetadata, metadata.Input, metadata.Features.Count, modelPath);
            CheckShape(session.OutputMetadata, metadata.Output, metadata.Labels.Count, modelPath);
            return new ClassifierModel(folder, metadata, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="rows"/> rows of <see cref="FeatureCount"/> floats from <paramref name="features"/>
    /// and writes <paramref name="rows"/> x <see cref="LabelCount"/> probabilities into <paramref name="probabilities"/>
    /// (ORT writes straight into the caller's memory).
    /// </summary>
    public void Predict(Memory<float> features, int rows, Memory<float> probabilities)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features.Length, rows * FeatureCount, nameof(features));
        ArgumentOutOfRangeException.ThrowIfLessThan(probabilities.Length, rows * LabelCount, nameof(probabilities));

        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, features[..(rows * FeatureCount)], [rows, FeatureCount]);
        using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, probabilities[..(rows * LabelCount)], [rows, LabelCount]);
        using var runOptions = new RunOptions();
        _session.Run(runOptions, _inputNames, [input], _outputNames, [output]);
    }

    public void Dispose() => _session.Dispose();

    private static InferenceSession CreateSession(byte[] model, string modelPath)
    {
        // The graph is a handful of small ops: a thread pool per session would cost more than the math,
        // and concurrency comes from callers batching rows instead.
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            return new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: ONNX Runtime refused the model: {e.Message}", e);
        }
    }

    private static void CheckShape(IReadOnlyDictionary<string, NodeMetadata> values, string name, int width, string modelPath)
    {
        if (!values.TryGetValue(name, out var value) || value.ElementType != typeof(float))
        {
            throw new InvalidDataException($"{modelPath}: has no float tensor '{name}' (named in metadata.json)");
        }

        if (value.Dimensions.Length != 2 || value.Dimensions[1] != width)
        {
            throw new InvalidDataException($"{modelPath}: '{name}' has shape [{string.Join(',', value.Dimensions)}], metadata.json implies [N,{width}]");
        }
    }
}
