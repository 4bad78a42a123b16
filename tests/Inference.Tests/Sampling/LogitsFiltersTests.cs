using Chat.Inference.Sampling;

namespace Chat.Inference.Tests.Sampling;

public sealed class LogitsFiltersTests
{
    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_seen_tokens()
    {
        float[] logits = [2f, -2f, 1f, 0.5f];

        LogitsFilters.ApplyRepetitionPenalty(logits, [0, 1], 2f);

        Assert.Equal([1f, -4f, 1f, 0.5f], logits);
    }

    [Fact]
    public void Presence_and_frequency_subtract_once_and_per_occurrence()
    {
        float[] logits = [1f, 1f, 1f];
        int[] counts = [3, 0, 1];

        LogitsFilters.ApplyPresenceFrequency(logits, [0, 2], counts, presence: 0.5f, frequency: 0.25f);

        Assert.Equal([-0.25f, 1f, 0.25f], logits);
    }

    [Fact]
    public void Relative_probabilities_apply_temperature_and_put_the_top_token_at_one()
    {
        float[] logits = [MathF.Log(4f), MathF.Log(2f), 0f];

        LogitsFilters.ToRelativeProbabilities(logits, temperature: 2f);

        Assert.Equal(1f, logits[0], 5);
        Assert.Equal(MathF.Sqrt(0.5f), logits[1], 5);
        Assert.Equal(0.5f, logits[2], 5);
    }

    [Fact]
    public void Collect_skips_zero_probabilities_and_sorts_descending_with_ties_by_id()
    {
        float[] probabilities = [0.25f, 1f, 0.5f, 0f, 0.5f];
        var candidates = new int[5];

        var count = LogitsFilters.Collect(probabilities, candidates, new float[5], sort: true);

        Assert.Equal([1, 2, 4, 0], candidates[..count]);
    }

    [Theory]
    [InlineData(4, 2, 2)]
    [InlineData(4, 0, 4)]
    [InlineData(4, 10, 4)]
    public void Top_k_keeps_the_k_best(int count, int k, int expected) =>
        Assert.Equal(expected, LogitsFilters.TopK(count, k));

    [Theory]
    [InlineData(0.5f, 1)]
    [InlineData(0.6f, 2)]
    [InlineData(0.75f, 2)]
    [InlineData(0.9f, 4)]
    [InlineData(1f, 4)]
    public void Top_p_keeps_the_shortest_prefix_reaching_the_mass(float p, int expected)
    {
        // Normalized: 0.5, 0.25, 0.125, 0.125.
        float[] probabilities = [1f, 0.5f, 0.25f, 0.25f];

        Assert.Equal(expected, LogitsFilters.TopP(probabilities, [0, 1, 2, 3], p));
    }

    [Fact]
    public void Min_p_drops_tokens_below_the_fraction_of_the_top_probability()
    {
        float[] probabilities = [1f, 0.5f, 0.25f, 0.1f];
        int[] candidates = [3, 0, 2, 1];

        var kept = LogitsFilters.MinP(probabilities, candidates, 0.3f);

        Assert.Equal([0, 1], candidates[..kept]);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.49, 0)]
    [InlineData(0.5, 1)]
    [InlineData(0.74, 1)]
    [InlineData(0.76, 2)]
    [InlineData(0.999, 2)]
    public void Pick_is_proportional_to_weight(double u, int expected)
    {
        float[] probabilities = [1f, 0.5f, 0.5f];

        Assert.Equal(expected, LogitsFilters.Pick(probabilities, [0, 1, 2], u));
    }
}
