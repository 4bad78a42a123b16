using Chat.ModelBuilder.Decoder;
using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Model;

namespace Chat.ModelTrainer.Training;

/// <summary>Hands trained weights to the builder's writer: the result is an ordinary GenAI-format folder.</summary>
public static class Exporter
{
    public static DecoderBuildResult Export(ChatDecoder model, string modelDirectory)
    {
        var result = DecoderModelWriter.Write(model.Spec, modelDirectory, model.ToWeights());
        if (result.Vocab != new ChatFormat().Vocab)
        {
            throw new InvalidOperationException($"the writer's tokenizer has {result.Vocab} ids but the model was trained on {new ChatFormat().Vocab}.");
        }

        return result;
    }
}
