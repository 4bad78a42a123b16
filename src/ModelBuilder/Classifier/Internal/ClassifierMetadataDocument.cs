using System.Text.Json;

namespace Chat.ModelBuilder.Classifier.Internal;

/// <summary>
/// metadata.json beside model.onnx. Written property by property so the bytes are stable and the
/// order reads top-down (identity, interface, features, quality, provenance).
/// </summary>
internal sealed class ClassifierMetadataDocument(
    ClassifierArguments options,
    LabeledDataset data,
    string version,
    long sequence,
    double cvAccuracy,
    double trainingAccuracy,
    byte[] dataSha256,
    string command)
{
    public byte[] ToUtf8()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("name", options.Name);
            json.WriteString("version", version);
            json.WriteNumber("sequence", sequence);
            json.WriteString("model_file", ClassifierBuild.ModelFileName);
            json.WriteString("input", ClassifierOnnxWriter.InputName);
            json.WriteString("output", ClassifierOnnxWriter.OutputName);
            json.WriteStartArray("labels");
            foreach (var label in data.Labels)
            {
                json.WriteStringValue(label);
            }

            json.WriteEndArray();
            json.WriteStartArray("features");
            for (var j = 0; j < data.FeatureCount; j++)
            {
                json.WriteStartObject();
                json.WriteString("name", data.FeatureNames[j]);
                json.WriteNumber("min", data.Rows.Min(r => r[j]));
                json.WriteNumber("max", data.Rows.Max(r => r[j]));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("cv_accuracy", Math.Round(cvAccuracy, 6));
            json.WriteNumber("cv_folds", options.Folds);
            json.WriteNumber("training_accuracy", Math.Round(trainingAccuracy, 6));
            json.WriteStartObject("training");
            json.WriteString("algorithm", "standardized softmax regression, full-batch gradient descent");
            json.WriteString("data", Path.GetFileName(options.DataPath));
            json.WriteString("data_sha256", Convert.ToHexStringLower(dataSha256));
            json.WriteNumber("samples", data.Count);
            json.WriteNumber("epochs", options.Epochs);
            json.WriteNumber("learning_rate", options.LearningRate);
            json.WriteNumber("l2", options.L2);
            json.WriteNumber("seed", options.Seed);
            json.WriteEndObject();
            json.WriteString("created_by", command);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
