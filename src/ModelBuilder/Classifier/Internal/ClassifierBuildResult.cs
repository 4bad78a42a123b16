namespace Chat.ModelBuilder.Classifier.Internal;

internal sealed record ClassifierBuildResult(string Name, string Version, string Folder, double CrossValidatedAccuracy, double TrainingAccuracy);
