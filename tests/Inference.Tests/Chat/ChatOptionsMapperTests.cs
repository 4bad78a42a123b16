using System.Text.Json;
using Chat.Inference.ChatClients.Internal;
using Chat.Inference.Engine;
using Chat.Inference.Models;
using Microsoft.Extensions.AI;

namespace Chat.Inference.Tests.Chat;

public sealed class ChatOptionsMapperTests
{
    [Fact]
    public void Maps_every_option_including_vllm_extras()
    {
        var mapper = new ChatOptionsMapper(new SearchDefaults(), contextLength: 100);
        var options = new ChatOptions
        {
            MaxOutputTokens = 9, Temperature = 0.5f, TopP = 0.8f, TopK = 7, Seed = 3, PresencePenalty = 0.25f, FrequencyPenalty = -0.5f,
            StopSequences = ["END"],
            AdditionalProperties = new() { ["min_p"] = 0.05, ["repetition_penalty"] = JsonDocument.Parse("1.2").RootElement, ["ignore_eos"] = true },
        };

        var request = mapper.ToRequest([1, 2], options);

        Assert.Equal(9, request.MaxNewTokens);
        Assert.Equal(["END"], request.StopSequences);
        Assert.True(request.IgnoreEos);
        Assert.Equal(
            new SamplingSettings { Temperature = 0.5f, TopP = 0.8f, TopK = 7, MinP = 0.05f, RepetitionPenalty = 1.2f, PresencePenalty = 0.25f, FrequencyPenalty = -0.5f, Seed = 3 },
            request.Sampling);
    }

    [Fact]
    public void Unset_options_fall_back_to_the_config_search_defaults()
    {
        var sampling = new ChatOptionsMapper(new SearchDefaults { DoSample = true, Temperature = 0.7f, TopK = 40, TopP = 0.9f, MaxLength = 50 }, 100)
            .ToRequest([1, 2, 3], null);
        var greedy = new ChatOptionsMapper(new SearchDefaults { Temperature = 0.7f }, 100).ToRequest([1, 2, 3], new ChatOptions());

        Assert.Equal(new SamplingSettings { Temperature = 0.7f, TopK = 40, TopP = 0.9f }, sampling.Sampling);
        Assert.Equal(47, sampling.MaxNewTokens);
        Assert.True(greedy.Sampling.IsGreedy);
        Assert.Equal(97, greedy.MaxNewTokens);
    }

    [Theory]
    [InlineData("TopP", "Chat option 'TopP' must be in (0, 1]")]
    [InlineData("min_p", "Chat option 'min_p' must be a number")]
    [InlineData("ignore_eos", "Chat option 'ignore_eos' must be true or false")]
    public void Bad_values_name_the_option(string option, string expected)
    {
        var options = option switch
        {
            "TopP" => new ChatOptions { TopP = 1.5f },
            "min_p" => new ChatOptions { AdditionalProperties = new() { ["min_p"] = "lots" } },
            _ => new ChatOptions { AdditionalProperties = new() { ["ignore_eos"] = 1 } },
        };

        var error = Assert.Throws<ArgumentException>(() => new ChatOptionsMapper(new SearchDefaults(), 100).ToRequest([1], options));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
