using System.Numerics.Tensors;
using System.Security.Cryptography;
using Chat.Inference.Engine;

namespace Chat.Inference.Sampling;

/// <summary>
/// Token selection for one sequence: penalties from its history, then greedy argmax or seeded
/// sampling through temperature, top-k, top-p and min-p. Scratch arrays are sized to the
/// vocabulary once, so <see cref="Sample"/> allocates nothing. Not thread-safe (one per sequence).
/// </summary>
internal sealed class Sampler
{
    private readonly SamplingSettings _settings;
    private readonly Xoshiro256StarStar? _random;
    private readonly int[]? _counts;
    private readonly bool[]? _seen;
    private readonly int[]? _seenTokens;
    private readonly int[]? _outputTokens;
    private readonly int[]? _candidates;
    private readonly float[]? _sortKeys;
    private int _seenCount;
    private int _outputCount;

    public Sampler(SamplingSettings settings, int vocabSize, ReadOnlySpan<int> promptTokens)
    {
        _settings = settings;
        if (!settings.IsGreedy)
        {
            _random = new Xoshiro256StarStar(settings.Seed ?? BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)));
            _candidates = new int[vocabSize];
            _sortKeys = new float[vocabSize];
        }

        var repetition = settings.RepetitionPenalty != 1f;
        if (repetition || settings.PresencePenalty != 0f || settings.FrequencyPenalty != 0f)
        {
            _counts = new int[vocabSize];
            _seen = new bool[vocabSize];
            _seenTokens = new int[vocabSize];
            _outputTokens = new int[vocabSize];
            if (repetition)
            {
                foreach (var token in promptTokens)
                {
                    MarkSeen(token);
                }
            }
        }
    }

    /// <summary>Chooses the next token; <paramref name="logits"/> is used as scratch and overwritten.</summary>
    public int Sample(Span<float> logits)
    {
        if (_counts is not null)
        {
            if (_settings.RepetitionPenalty != 1f)
            {
                LogitsFilters.ApplyRepetitionPenalty(logits, _seenTokens.AsSpan(0, _seenCount), _settings.RepetitionPenalty);
            }

            LogitsFilters.ApplyPresenceFrequency(logits, _outputTokens.AsSpan(0, _outputCount), _counts, _settings.PresencePenalty, _settings.FrequencyPenalty);
        }

        if (_random is null)
        {
            return TensorPrimitives.IndexOfMax(logits);
        }

        LogitsFilters.ToRelativeProbabilities(logits, _settings.Temperature);
        var sort = _settings.TopK > 0 || _settings.TopP < 1f;
        var count = LogitsFilters.Collect(logits, _candidates!, _sortKeys!, sort);
        count = LogitsFilters.TopK(count, _settings.TopK);
        count = LogitsFilters.TopP(logits, _candidates.AsSpan(0, count), _settings.TopP);
        count = LogitsFilters.MinP(logits, _candidates.AsSpan(0, count), _settings.MinP);
        return LogitsFilters.Pick(logits, _candidates.AsSpan(0, count), _random.NextDouble());
    }

    /// <summary>Records a generated token for the penalties.</summary>
    public void Accept(int token)
    {
        if (_counts is null || (uint)token >= (uint)_counts.Length)
        {
            return;
        }

        if (_counts[token]++ == 0)
        {
            _outputTokens![_outputCount++] = token;
        }

        MarkSeen(token);
    }

    private void MarkSeen(int token)
    {
        if ((uint)token < (uint)_seen!.Length && !_seen[token])
        {
            _seen[token] = true;
            _seenTokens![_seenCount++] = token;
        }
    }
}
