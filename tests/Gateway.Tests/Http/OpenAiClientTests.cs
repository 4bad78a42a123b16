using System.ClientModel;
using System.Text;
using Chat.Gateway.Tests.Fakes;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace Chat.Gateway.Tests.Http;

/// <summary>Clients written by others against <c>/v1/chat/completions</c>: the official OpenAI SDK and M.E.AI's OpenAI IChatClient.</summary>
public sealed class OpenAiClientTests
{
    private static readonly TimeSpan Timeout = FakeGateway.Timeout;

    [Fact]
    public async Task Official_openai_sdk_streams_and_completes_the_same_text()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var client = SdkClient(gateway);
        List<OpenAI.Chat.ChatMessage> messages = [new UserChatMessage("Say something")];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0f };

        ChatCompletion completion = await client.CompleteChatAsync(messages, options).WaitAsync(Timeout);

        var streamed = new StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options).WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal(6, completion.Content[0].Text.Length);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(6, completion.Usage.OutputTokenCount);
        Assert.Equal("fake-model", completion.Model);
        Assert.Equal(completion.Content[0].Text, streamed.ToString());
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Length, finish);
        Assert.Equal(6, usage!.OutputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount, usage.InputTokenCount);
    }

    [Fact]
    public async Task Openai_sdk_sees_an_unknown_model_as_a_404_with_the_message()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var client = new ChatClient("no-such-model", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(gateway.Host.BaseAddress, "/v1") });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")])).WaitAsync(Timeout);

        Assert.Equal(404, error.Status);
        Assert.Contains("no-such-model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extensions_ai_openai_chat_client_works_against_the_gateway()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var chat = SdkClient(gateway).AsIChatClient();
        var options = new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 5 };

        var response = await chat.GetResponseAsync("Hello there", options).WaitAsync(Timeout);
        var streamed = await chat.GetStreamingResponseAsync("Hello there", options).ToChatResponseAsync().WaitAsync(Timeout);

        Assert.Equal(5, response.Text.Length);
        Assert.Equal(response.Text, streamed.Text);
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Length, streamed.FinishReason);
        Assert.Equal(5, streamed.Usage!.OutputTokenCount);
    }

    private static ChatClient SdkClient(FakeGateway gateway) =>
        new("fake-model", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(gateway.Host.BaseAddress, "/v1") });
}
