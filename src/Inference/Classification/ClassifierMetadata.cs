using System.Text.Json;

namespace Chat.Inference.Classification;

/// <summary>
/// The contents of a version folder's <c>metadata.json</c>. <see cref="Sequence"/> orders versions
/// (the version itself is a content hash and says nothing about age): the highest sequence is the
/// newest, ties broken by ordinal version.
/// </summary>
public sealed record ClassifierMetadata(
    string Name,
    string Version,
    long Sequence,
    string ModelFile,
    string Input,
    string Output,
    IReadOnlyList<string> Labels,
    IReadOnlyList<ClassifierFeature> Features,
    double? CvAccuracy,
    double? TrainingAccuracy,
    string? CreatedBy)
{
    /// <summary>The whole file as read, for listings that show every field (training settings included).</summary>
    public required JsonElement Document { get; init; }
}
