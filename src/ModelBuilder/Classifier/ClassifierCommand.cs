using System.Globalization;
using Chat.ModelBuilder.Classifier.Internal;

namespace Chat.ModelBuilder.Classifier;

/// <summary>
/// <c>ModelBuilder classifier --data CSV --out DIR [--features FILE] [--name NAME] [--epochs N]
/// [--learning-rate X] [--l2 X] [--folds K] [--seed S]</c>: trains a standardized softmax regression,
/// cross-validates it and writes <c>DIR/&lt;version&gt;/model.onnx</c> + <c>metadata.json</c>.
/// The same inputs give byte-identical files.
/// </summary>
public static class ClassifierCommand
{
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        ClassifierArguments options;
        try
        {
            options = ClassifierArguments.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("classifier: " + e.Message);
            Console.Error.WriteLine(ClassifierArguments.Usage);
            return 2;
        }

        try
        {
            var result = ClassifierBuild.Run(options, "dotnet run --project src/ModelBuilder -- classifier " + CommandLine.Join(args));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Name} {result.Version}: cv accuracy {result.CrossValidatedAccuracy:F4} ({options.Folds} folds), training accuracy {result.TrainingAccuracy:F4}"));
            Console.WriteLine(result.Folder);
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("classifier: " + e.Message);
            return 1;
        }
    }
}
