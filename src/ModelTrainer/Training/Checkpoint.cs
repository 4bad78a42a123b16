using Chat.ModelBuilder.Decoder;
using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Model;
using TorchSharp.Modules;

namespace Chat.ModelTrainer.Training;

/// <summary>The files of a run's checkpoint folder: weights, optimizer moments, the replay buffer (when replaying) and the state.</summary>
public static class Checkpoint
{
    public static string Folder(string outDirectory) => Path.Combine(outDirectory, "checkpoint");

    // Each file's name once: Save writes them into a temporary folder, the loaders read them from the checkpoint.
    private const string StateFile = "state.json", ModelFile = "model.dat", OptimizerFile = "optimizer.dat", MuonFile = "muon.dat",
        AverageFile = "averaged.dat";

    public static string StatePath(string outDirectory) => Path.Combine(Folder(outDirectory), StateFile);

    private static string ModelPath(string outDirectory) => Path.Combine(Folder(outDirectory), ModelFile);

    private static string OptimizerPath(string outDirectory) => Path.Combine(Folder(outDirectory), OptimizerFile);

    private static string MuonPath(string outDirectory) => Path.Combine(Folder(outDirectory), MuonFile);

    private static string AveragePath(string outDirectory) => Path.Combine(Folder(outDirectory), AverageFile);

    public static string ReplayPath(string outDirectory) => Path.Combine(Folder(outDirectory), ReplayBuffer.FileName);

    /// <summary>Writes to a temporary folder first, so an interrupted save never leaves a half checkpoint.</summary>
    public static void Save(string outDirectory, ChatDecoder model, AdamW optimizer, Muon? muon, ReplayBuffer? replay, TrainingState state, WeightAverage? average = null)
    {
        var folder = Folder(outDirectory);
        var temporary = folder + ".tmp";
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }

        Directory.CreateDirectory(temporary);
        model.save(Path.Combine(temporary, ModelFile));
        optimizer.save_state_dict(Path.Combine(temporary, OptimizerFile));
        muon?.Save(Path.Combine(temporary, MuonFile));
        replay?.Save(Path.Combine(temporary, ReplayBuffer.FileName));
        average?.Model.save(Path.Combine(temporary, AverageFile));
        state.Write(Path.Combine(temporary, StateFile));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(temporary, folder);
    }

    /// <summary>The model of a checkpoint (its current weights, or their moving average: <see cref="WeightAverage"/>), with its state.</summary>
    public static (ChatDecoder Model, TrainingState State) LoadModel(string outDirectory, ChatFormat format, CheckpointWeights weights = CheckpointWeights.Final)
    {
        var state = TrainingState.Read(StatePath(outDirectory));
        if (weights == CheckpointWeights.Averaged && !File.Exists(AveragePath(outDirectory)))
        {
            throw new InvalidDataException(
                $"the checkpoint in '{Folder(outDirectory)}' keeps no weight average (trained with --average-decay 0, or before averages were kept).");
        }

        return (Load(state, format, weights == CheckpointWeights.Averaged ? AveragePath(outDirectory) : ModelPath(outDirectory)), state);
    }

    /// <summary>The weight average of a checkpoint, or null when it keeps none.</summary>
    public static ChatDecoder? LoadAverage(string outDirectory, ChatFormat format) => File.Exists(AveragePath(outDirectory))
        ? Load(TrainingState.Read(StatePath(outDirectory)), format, AveragePath(outDirectory))
        : null;

    /// <summary>A model of the state's spec holding the weights saved at <paramref name="path"/>.</summary>
    private static ChatDecoder Load(TrainingState state, ChatFormat format, string path)
    {
        var model = NewModel(state.Spec, format);
        model.load(path);
        return model;
    }

    /// <summary>The optimizers' state of a checkpoint: AdamW's moments and, for a Muon run, Muon's momentum.</summary>
    public static void LoadOptimizer(string outDirectory, AdamW optimizer, Muon? muon)
    {
        optimizer.load_state_dict(OptimizerPath(outDirectory));
        muon?.Load(MuonPath(outDirectory));
    }

    /// <summary>A fresh model: the builder's random initialisation for the spec's seed.</summary>
    public static ChatDecoder NewModel(DecoderSpec spec, ChatFormat format) =>
        ChatDecoder.FromWeights(spec, DecoderWeights.CreateRandom(spec, format.Vocab), format.Vocab);
}

/// <summary>Which weights of a checkpoint eval and export read (<c>--weights</c>).</summary>
public enum CheckpointWeights
{
    /// <summary>The optimizer's current weights.</summary>
    Final,

    /// <summary>Their exponential moving average (<see cref="WeightAverage"/>).</summary>
    Averaged,
}
