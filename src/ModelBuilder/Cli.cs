namespace Chat.ModelBuilder;

/// <summary>Command-line verbs of the model builder.</summary>
public static class Cli
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage();
        }

        var rest = args[1..];
        return args[0] switch
        {
            "decoder" => Decoder.DecoderCommand.Run(rest),
            "classifier" => Classifier.ClassifierCommand.Run(rest),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: ModelBuilder <verb> [options]   verbs: decoder, classifier");
        return 2;
    }
}
