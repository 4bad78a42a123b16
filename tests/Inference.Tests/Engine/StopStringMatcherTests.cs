using Chat.Inference.Engine.Internal;

namespace Chat.Inference.Tests.Engine;

public sealed class StopStringMatcherTests
{
    [Fact]
    public void A_stop_string_split_across_chunks_stops_and_is_never_released()
    {
        var matcher = new StopStringMatcher(["STOP"]);

        Assert.Equal("Hel", matcher.Push("Hel"));
        Assert.Equal("lo ", matcher.Push("lo ST"));
        Assert.Equal("", matcher.Push("O"));
        Assert.False(matcher.Stopped);
        Assert.Equal("", matcher.Push("P and more"));
        Assert.True(matcher.Stopped);
        Assert.Equal("", matcher.Flush());
        Assert.Equal("", matcher.Push("later"));
    }

    [Fact]
    public void Held_text_is_released_once_it_cannot_start_a_stop_string()
    {
        var matcher = new StopStringMatcher(["STOP", "</s>"]);

        Assert.Equal("ab", matcher.Push("abST"));
        Assert.Equal("STx", matcher.Push("x"));
        Assert.Equal("", matcher.Push("</"));
        Assert.Equal("</", matcher.Flush());
        Assert.False(matcher.Stopped);
    }

    [Fact]
    public void The_earliest_stop_string_wins()
    {
        var matcher = new StopStringMatcher(["cd", "b"]);

        Assert.Equal("a", matcher.Push("abcd"));
        Assert.True(matcher.Stopped);
    }

    [Fact]
    public void Without_stop_strings_text_passes_through()
    {
        var matcher = new StopStringMatcher([]);

        Assert.Equal("ST", matcher.Push("ST"));
        Assert.Equal("", matcher.Flush());
    }
}
