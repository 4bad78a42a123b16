namespace Chat.Gateway.Streams;

/// <summary>
/// A subscriber fell more than <c>Streams:SubscriberBufferEvents</c> behind its generation and was
/// dropped so that it never holds the generation back. The events stay in the replay buffer: the
/// client can resume from <see cref="NextIndex"/>.
/// </summary>
public sealed class SlowSubscriberException : Exception
{
    public SlowSubscriberException(int nextIndex)
        : base($"The client fell too far behind the generation and was detached; resume from index {nextIndex}.")
    {
        NextIndex = nextIndex;
    }

    public SlowSubscriberException()
        : this(0)
    {
    }

    public SlowSubscriberException(string message)
        : base(message)
    {
    }

    public SlowSubscriberException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int NextIndex { get; }
}
