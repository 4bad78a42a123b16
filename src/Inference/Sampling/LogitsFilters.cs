using System.Numerics.Tensors;

namespace Chat.Inference.Sampling;

/// <summary>
/// The token-selection transforms, each on caller-owned spans so the per-token path allocates
/// nothing. Order in <see cref="Sampler"/> follows vLLM: penalties, temperature, top-k, top-p, min-p.
/// </summary>
internal static class LogitsFilters
{
    /// <summary>CTRL/HF repetition penalty on every token seen in prompt or output: divide positive logits, multiply negative ones.</summary>
    public static void ApplyRepetitionPenalty(Span<float> logits, ReadOnlySpan<int> seenTokens, float penalty)
    {
        foreach (var token in seenTokens)
        {
            var value = logits[token];
            logits[token] = value > 0 ? value / penalty : value * penalty;
        }
    }

    /// <summary>OpenAI presence/frequency penalties on output tokens: subtract presence once and frequency per occurrence.</summary>
    public static void ApplyPresenceFrequency(Span<float> logits, ReadOnlySpan<int> outputTokens, ReadOnlySpan<int> counts, float presence, float frequency)
    {
        foreach (var token in outputTokens)
        {
            logits[token] -= presence + (frequency * counts[token]);
        }
    }

    /// <summary>
    /// Unnormalized probabilities exp(logit / temperature - max): the most likely token has 1, so a
    /// min-p test is a plain comparison and renormalizing never changes ratios.
    /// </summary>
    public static void ToRelativeProbabilities(Span<float> logits, float temperature)
    {
        TensorPrimitives.Multiply(logits, 1f / temperature, logits);
        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, logits);
        TensorPrimitives.Exp(logits, logits);
    }

    /// <summary>
    /// Collects tokens with non-zero probability into <paramref name="candidates"/>, sorted by
    /// descending probability when <paramref name="sort"/> (ties by ascending id), and returns the count.
    /// </summary>
    public static int Collect(ReadOnlySpan<float> probabilities, int[] candidates, float[] sortKeys, bool sort)
    {
        var count = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] > 0f)
            {
                candidates[count] = i;
                sortKeys[count] = -probabilities[i];
                count++;
            }
        }

        if (sort)
        {
            // Introsort is not stable: equal probabilities go back to id order so ties resolve the same way
            // on every runtime.
            Array.Sort(sortKeys, candidates, 0, count);
            SortTiesById(sortKeys, candidates, count);
        }

        return count;
    }

    /// <summary>Keeps the <paramref name="k"/> most likely of sorted candidates.</summary>
    public static int TopK(int count, int k) => k > 0 && k < count ? k : count;

    /// <summary>Keeps the shortest prefix of sorted candidates whose probability mass reaches <paramref name="p"/> (at least one).</summary>
    public static int TopP(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> sortedCandidates, float p)
    {
        if (p >= 1f || sortedCandidates.Length <= 1)
        {
            return sortedCandidates.Length;
        }

        double total = 0;
        foreach (var token in sortedCandidates)
        {
            total += probabilities[token];
        }

        var threshold = p * total;
        double cumulative = 0;
        for (var i = 0; i < sortedCandidates.Length; i++)
        {
            cumulative += probabilities[sortedCandidates[i]];
            if (cumulative >= threshold)
            {
                return i + 1;
            }
        }

        return sortedCandidates.Length;
    }

    /// <summary>
    /// Removes candidates whose probability is below <paramref name="minP"/> times the most likely
    /// one's (which is 1 in relative probabilities); order is kept. Returns the new count.
    /// </summary>
    public static int MinP(ReadOnlySpan<float> probabilities, Span<int> candidates, float minP)
    {
        if (minP <= 0f)
        {
            return candidates.Length;
        }

        var kept = 0;
        foreach (var token in candidates)
        {
            if (probabilities[token] >= minP)
            {
                candidates[kept++] = token;
            }
        }

        return kept;
    }

    /// <summary>Picks a candidate with probability proportional to its weight, using uniform <paramref name="u"/> in [0, 1).</summary>
    public static int Pick(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> candidates, double u)
    {
        double total = 0;
        foreach (var token in candidates)
        {
            total += probabilities[token];
        }

        var target = u * total;
        double cumulative = 0;
        foreach (var token in candidates)
        {
            cumulative += probabilities[token];
            if (target < cumulative)
            {
                return token;
            }
        }

        return candidates[^1];
    }

    private static void SortTiesById(float[] keys, int[] candidates, int count)
    {
        var start = 0;
        for (var i = 1; i <= count; i++)
        {
            if (i == count || keys[i] != keys[start])
            {
                if (i - start > 1)
                {
                    Array.Sort(candidates, start, i - start);
                }

                start = i;
            }
        }
    }
}
