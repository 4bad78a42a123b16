using System.Text.Json;
using Chat.ModelTrainer.Corpus;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// Hard-example replay: training conversations the model got wrong in its own forward pass (some
/// trained token whose argmax is not the target, which is what a greedy reply would get wrong) come back
/// in later batches until it gets them right or they have been replayed <c>maxReplays</c> times.
/// Late in a run most fresh arithmetic is already right and teaches little; the carries it still
/// misses are what this feeds back. Only training conversations enter, so the held-out split holds.
/// First in, first out, at most <c>capacity</c> waiting (the oldest make room). Measured on the
/// default recipe it moved accuracy toward arithmetic without raising the total (models/README.md, run 14).
/// </summary>
public sealed class ReplayBuffer(int capacity = 4096, int maxReplays = 4)
{
    public const string FileName = "replay.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly Queue<Entry> _waiting = new();

    /// <summary>A conversation and how many times it has been replayed already.</summary>
    public sealed record Entry(IReadOnlyList<ChatMessage> Messages, int Replays);

    public int Count => _waiting.Count;

    /// <summary>Conversations found wrong so far in the run (fresh or replayed, queued or let go); saved with the buffer.</summary>
    public long Added { get; private set; }

    /// <summary>Queues a conversation the model got wrong after <paramref name="replays"/> replays; one replayed enough is let go.</summary>
    public void Add(IReadOnlyList<ChatMessage> messages, int replays)
    {
        Added++;
        if (replays >= maxReplays)
        {
            return;
        }

        if (_waiting.Count == capacity)
        {
            _waiting.Dequeue();
        }

        _waiting.Enqueue(new Entry(messages, replays));
    }

    public bool TryTake(out Entry entry) => _waiting.TryDequeue(out entry!);

    /// <summary>Saved with a checkpoint so that --resume continues the same stream of batches.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(new Saved(Added, [.. _waiting]), Json));

    public void Load(string path)
    {
        _waiting.Clear();
        Added = 0;
        if (!File.Exists(path))
        {
            return; // a checkpoint written without replay
        }

        var saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"'{path}' holds no replay buffer.");
        Added = saved.Added;
        foreach (var entry in saved.Waiting.TakeLast(capacity))
        {
            _waiting.Enqueue(entry);
        }
    }

    private sealed record Saved(long Added, Entry[] Waiting);
}
