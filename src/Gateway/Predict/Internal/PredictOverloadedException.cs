using Chat.Inference.Classification;

namespace Chat.Gateway.Predict.Internal;

/// <summary>A model's micro-batch queue is full; the request is refused with 503 + Retry-After.</summary>
internal sealed class PredictOverloadedException(ClassifierModel model)
    : Exception($"The prediction queue of {model.Name}/{model.Version} is full.")
{
    public ClassifierModel Model { get; } = model;
}
