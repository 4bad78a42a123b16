using Chat.Gateway.Contracts;
using Chat.Gateway.Tests.Fakes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Gateway.Tests.Realtime;

/// <summary>The hub's conversation mode: the server keeps the history; each prompt extends the previous turn's prompt and answer.</summary>
public sealed class ConversationTests
{
    private static readonly TimeSpan Timeout = HubClient.Timeout;

    [Fact]
    public async Task Three_turns_send_only_new_messages_and_each_prompt_starts_with_the_previous_prompt_and_answer()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var engine = gateway.Engine;
        engine.AnswerLength = 6;
        var warmUps = engine.Requests.Count;
        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);
        var conversation = await hub.InvokeAsync<string>("StartConversation").WaitAsync(Timeout);

        var answers = new List<string>();
        foreach (var message in new[] { "Hello", "How are you?", "Tell me more" })
        {
            var items = await HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>(
                "SendMessage", conversation, message, new ConversationMessageOptions { Seed = 7, Temperature = 0.5f }).GetAsyncEnumerator());
            Assert.Equal("stop", items[^1].FinishReason);
            answers.Add(HubClient.Text(items));
        }

        var prompts = engine.Requests.Skip(warmUps).Select(r => r.PromptTokenIds.ToArray()).ToList();
        Assert.Equal(3, prompts.Count);
        for (var turn = 0; turn < 2; turn++)
        {
            // The char tokenizer makes token ids the prompt's characters: turn n+1 extends turn n's prompt and answer.
            int[] previous = [.. prompts[turn], .. answers[turn].Select(c => (int)c)];
            Assert.Equal(previous, prompts[turn + 1][..previous.Length]);
        }

        var expectedLast = "<user>Hello\n<assistant>" + answers[0] + "\n<user>How are you?\n<assistant>" + answers[1] + "\n<user>Tell me more\n<assistant>";
        Assert.Equal(expectedLast, new string(prompts[2].Select(id => (char)id).ToArray()));
    }

    [Fact]
    public async Task A_cancelled_turn_is_forgotten_and_unknown_or_busy_conversations_are_typed_errors()
    {
        var engine = new FakeGenerationEngine { AnswerLength = 100_000 };
        await using var gateway = await FakeGateway.StartAsync(engine);
        var warmUps = engine.Requests.Count;
        using var gate = new SemaphoreSlim(0);
        engine.TokenGate = gate;
        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);
        var conversation = await hub.InvokeAsync<string>("StartConversation").WaitAsync(Timeout);

        using var cancel = new CancellationTokenSource();
        var first = hub.StreamAsync<ChatStreamItem>("SendMessage", conversation, "first", null, cancel.Token).GetAsyncEnumerator(cancel.Token);
        gate.Release();
        Assert.Single(await HubClient.ReadAsync(first, 1));

        var busy = await Assert.ThrowsAsync<HubException>(() => HubClient.ReadAsync(
            hub.StreamAsync<ChatStreamItem>("SendMessage", conversation, "too soon", null).GetAsyncEnumerator()));
        Assert.Contains("conflict (conversation_id):", busy.Message, StringComparison.Ordinal);

        await cancel.CancelAsync();
        await Waits.ForAsync(() => engine.RunningSequences == 0);

        engine.TokenGate = null;
        engine.AnswerLength = 3;
        var second = await HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>("SendMessage", conversation, "second", null).GetAsyncEnumerator());
        Assert.Equal("stop", second[^1].FinishReason);
        var prompt = new string(engine.Requests.Skip(warmUps).Last().PromptTokenIds.Select(id => (char)id).ToArray());
        Assert.Equal("<user>second\n<assistant>", prompt);

        var unknown = await Assert.ThrowsAsync<HubException>(() => HubClient.ReadAsync(
            hub.StreamAsync<ChatStreamItem>("SendMessage", "no-such-conversation", "hi", null).GetAsyncEnumerator()));
        Assert.Contains("not_found (conversation_id):", unknown.Message, StringComparison.Ordinal);

        await hub.InvokeAsync("EndConversation", conversation).WaitAsync(Timeout);
        var ended = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("EndConversation", conversation).WaitAsync(Timeout));
        Assert.Contains("not_found (conversation_id):", ended.Message, StringComparison.Ordinal);
    }
}
