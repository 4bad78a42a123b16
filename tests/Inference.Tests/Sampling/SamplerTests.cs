using Chat.Inference.Engine;
using Chat.Inference.Sampling;

namespace Chat.Inference.Tests.Sampling;

public sealed class SamplerTests
{
    private static readonly float[] Flat = [.. Enumerable.Range(0, 64).Select(i => (i % 7) * 0.1f)];

    [Fact]
    public void Greedy_takes_the_argmax_after_penalties()
    {
        var sampler = new Sampler(new SamplingSettings { RepetitionPenalty = 2f }, 3, [0]);

        Assert.Equal(1, sampler.Sample([3f, 2.9f, 0f]));
    }

    [Fact]
    public void Frequency_penalty_grows_with_each_occurrence()
    {
        var sampler = new Sampler(new SamplingSettings { FrequencyPenalty = 0.3f }, 2, []);
        sampler.Accept(0);
        Assert.Equal(0, sampler.Sample([1f, 0.5f]));

        sampler.Accept(0);
        Assert.Equal(1, sampler.Sample([1f, 0.5f]));
    }

    [Fact]
    public void Same_seed_gives_the_same_tokens_and_another_seed_differs()
    {
        var settings = new SamplingSettings { Temperature = 1f, Seed = 42 };

        var first = Draw(settings, 40);
        var again = Draw(settings, 40);
        var other = Draw(settings with { Seed = 43 }, 40);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.True(first.Distinct().Count() > 5, "a flat distribution must not collapse to a few tokens");
    }

    [Fact]
    public void Top_k_one_is_greedy_even_when_sampling()
    {
        var draws = Draw(new SamplingSettings { Temperature = 5f, TopK = 1, Seed = 7 }, 20);

        Assert.All(draws, token => Assert.Equal(6, token));
    }

    [Fact]
    public void Filters_only_ever_return_allowed_tokens()
    {
        // Top-p 0.15 of this distribution stays inside the nine tokens with the highest logit (i % 7 == 6).
        var draws = Draw(new SamplingSettings { Temperature = 1f, TopP = 0.15f, Seed = 3 }, 50);

        Assert.All(draws, token => Assert.Equal(6, token % 7));
        Assert.True(draws.Distinct().Count() > 1);
    }

    private static int[] Draw(SamplingSettings settings, int count)
    {
        var sampler = new Sampler(settings, Flat.Length, []);
        var scratch = new float[Flat.Length];
        var tokens = new int[count];
        for (var i = 0; i < count; i++)
        {
            Flat.CopyTo(scratch, 0);
            tokens[i] = sampler.Sample(scratch);
        }

        return tokens;
    }
}
