namespace Chat.Gateway.Predict.Internal;

internal static partial class PredictLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Loaded classifier {Model}/{Version} (sequence {Sequence}) from {Folder}")]
    public static partial void ClassifierLoaded(ILogger logger, string model, string version, long sequence, string folder);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Classifier folder {Folder} could not be loaded: {Reason}")]
    public static partial void ClassifierLoadFailed(ILogger logger, string folder, string reason);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Classifiers are not ready: {Reason}")]
    public static partial void ClassifiersNotReady(ILogger logger, string reason);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "Prediction on {Model}/{Version} failed")]
    public static partial void PredictionFailed(ILogger logger, Exception exception, string model, string version);
}
