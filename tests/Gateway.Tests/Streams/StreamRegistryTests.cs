using System.Threading.Channels;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Streams;
using Chat.Inference.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Gateway.Tests.Streams;

/// <summary>The registry without a server: exactly-once delivery, slow subscribers, memory bounds, expiry.</summary>
public sealed class StreamRegistryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Subscribers_attaching_while_the_generation_runs_get_every_event_from_their_index_exactly_once()
    {
        using var registry = Create(new StreamsOptions());
        var source = new Source();
        var origin = registry.Start("me", "test", 1, source.Generate);
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await source.TokenAsync(i);
            }

            await source.FinishAsync(2000);
        });

        var random = new Random(5);
        var readers = new List<Task<(int From, List<StreamEvent> Events)>>();
        while (!producer.IsCompleted && readers.Count < 40)
        {
            var from = random.Next(0, origin.Stream.EventCount + 1);
            var subscription = registry.Resume(origin.Stream.Id, "me", from, "test");
            readers.Add(ReadAllAsync(subscription, from));
            await Task.Delay(1);
        }

        readers.Add(ReadAllAsync(origin, 0));
        await producer.WaitAsync(Timeout);
        foreach (var (from, events) in await Task.WhenAll(readers).WaitAsync(Timeout))
        {
            Assert.Equal(Enumerable.Range(from, 2001 - from), events.Select(e => e.Index));
            Assert.All(events.SkipLast(1), e => Assert.Equal(Source.TextOf(e.Index), e.Text));
            Assert.Equal(StreamEventKind.Done, events[^1].Kind);
            Assert.Equal(2000, events[^1].Usage!.CompletionTokens);
        }
    }

    [Fact]
    public async Task A_subscriber_that_falls_behind_is_dropped_without_holding_the_generation_back_and_can_resume()
    {
        var metrics = new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry());
        using var registry = Create(new StreamsOptions { SubscriberBufferEvents = 16 }, metrics);
        var source = new Source();
        var slow = registry.Start("me", "test", 1, source.Generate);
        for (var i = 0; i < 100; i++)
        {
            await source.TokenAsync(i);
        }

        await source.FinishAsync(100);
        await WaitForAsync(() => slow.Stream.IsCompleted);

        var read = new List<StreamEvent>();
        var dropped = await Assert.ThrowsAsync<SlowSubscriberException>(async () =>
        {
            await foreach (var item in slow.ReadAllAsync().WithCancellation(CancellationToken.None))
            {
                read.Add(item);
            }
        }).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 16), read.Select(e => e.Index));
        Assert.Equal(16, dropped.NextIndex);
        Assert.Equal(1, metrics.SlowSubscribers.WithLabels("test").Value);

        var (_, rest) = await ReadAllAsync(registry.Resume(slow.Stream.Id, "me", dropped.NextIndex, "test"), dropped.NextIndex).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(16, 85), rest.Select(e => e.Index));
        await slow.DisposeAsync();
    }

    [Fact]
    public async Task Replay_buffers_are_bounded_per_stream_and_in_total()
    {
        var metrics = new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry());
        using var registry = Create(new StreamsOptions { MaxBytesPerStream = 32 * 1024, MaxTotalBytes = 64 * 1024 }, metrics);
        var ids = new List<string>();
        for (var stream = 0; stream < 4; stream++)
        {
            var source = new Source(textLength: 100);
            await using var subscription = registry.Start("me", "test", 1, source.Generate);
            for (var i = 0; i < 200; i++)
            {
                await source.TokenAsync(i);
            }

            await source.FinishAsync(200);
            await ReadAllAsync(subscription, 0).WaitAsync(Timeout);
            ids.Add(subscription.Stream.Id);
        }

        // 200 events of about 300 bytes each exceed 32 KiB: the oldest events of each stream are gone.
        var gone = Assert.Throws<StreamAccessException>(() => registry.Resume(ids[^1], "me", 0, "test"));
        Assert.Equal(StreamAccessError.Gone, gone.Error);
        await using (var tail = registry.Resume(ids[^1], "me", 195, "test"))
        {
            Assert.Equal(6, (await ReadAllAsync(tail, 195).WaitAsync(Timeout)).Events.Count);
        }

        // Four streams near 32 KiB each exceed 64 KiB together: the oldest finished ones were evicted.
        Assert.Equal(StreamAccessError.NotFound, Assert.Throws<StreamAccessException>(() => registry.Resume(ids[0], "me", 199, "test")).Error);
        Assert.True(metrics.StreamBufferBytes.Value <= 64 * 1024, $"{metrics.StreamBufferBytes.Value} bytes buffered");
        Assert.True(metrics.StreamEvictions.WithLabels("memory").Value >= 2);
        Assert.Equal(StreamAccessError.Forbidden, Assert.Throws<StreamAccessException>(() => registry.Resume(ids[^1], "someone-else", 199, "test")).Error);
    }

    [Fact]
    public async Task A_finished_stream_is_forgotten_after_its_retention()
    {
        using var registry = Create(new StreamsOptions { RetentionSeconds = 0 });
        var source = new Source();
        var subscription = registry.Start("me", "test", 1, source.Generate);
        await source.FinishAsync(0);
        await ReadAllAsync(subscription, 0).WaitAsync(Timeout);

        Assert.Equal(StreamAccessError.NotFound, Assert.Throws<StreamAccessException>(() => registry.Resume(subscription.Stream.Id, "me", 0, "test")).Error);
        Assert.Equal(0, registry.Count);
    }

    private static StreamRegistry Create(StreamsOptions options, GatewayMetrics? metrics = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options), metrics ?? new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry()), NullLogger<StreamRegistry>.Instance);

    private static async Task<(int From, List<StreamEvent> Events)> ReadAllAsync(StreamSubscription subscription, int from)
    {
        var events = new List<StreamEvent>();
        await foreach (var item in subscription.ReadAllAsync())
        {
            events.Add(item);
        }

        return (from, events);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(5, cancellation.Token);
        }
    }

    /// <summary>An engine stream the test writes update by update.</summary>
    private sealed class Source(int? textLength = null)
    {
        private readonly Channel<GenerationUpdate> _updates = Channel.CreateUnbounded<GenerationUpdate>();

        public static string TextOf(int index) => "t" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public IAsyncEnumerable<GenerationUpdate> Generate(CancellationToken cancellationToken) => _updates.Reader.ReadAllAsync(cancellationToken);

        public ValueTask TokenAsync(int index) =>
            _updates.Writer.WriteAsync(new GenerationUpdate(index, index, textLength is { } length ? new string('x', length) : TextOf(index)));

        public async ValueTask FinishAsync(int tokens)
        {
            await _updates.Writer.WriteAsync(new GenerationUpdate(tokens, -1, "", FinishReason.Stop, new GenerationUsage(1, tokens, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)));
            _updates.Writer.Complete();
        }
    }
}
