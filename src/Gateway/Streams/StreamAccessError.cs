namespace Chat.Gateway.Streams;

/// <summary>Why a stream could not be attached to; each maps to one HTTP status and one typed realtime error.</summary>
public enum StreamAccessError
{
    /// <summary>No such stream, or it finished longer ago than <c>Streams:RetentionSeconds</c> (404).</summary>
    NotFound,

    /// <summary>The stream belongs to another client identity (403).</summary>
    Forbidden,

    /// <summary>The events from the requested index on were dropped from the replay buffer (410).</summary>
    Gone,

    /// <summary>The requested index is beyond the events the stream has produced (400).</summary>
    InvalidIndex,
}
