namespace Chat.ModelBuilder.Classifier;

public static class ClassifierCommand
{
    public static int Run(string[] args) => args.Length;
}
