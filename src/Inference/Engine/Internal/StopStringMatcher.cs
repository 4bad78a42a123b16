using System.Text;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// Finds stop strings in streamed text across token boundaries. Text that could still become the
/// start of a stop string is held back and released as soon as it cannot; text from a stop string
/// on is never released. With no stop strings every chunk passes through untouched.
/// </summary>
internal sealed class StopStringMatcher(IReadOnlyList<string> stopStrings)
{
    private readonly string[] _stops = [.. stopStrings.Where(s => s.Length > 0)];
    private readonly StringBuilder _pending = new();

    public bool Stopped { get; private set; }

    /// <summary>Adds decoded text; returns what is safe to emit (text before a stop string once one is found).</summary>
    public string Push(string text)
    {
        if (Stopped || text.Length == 0)
        {
            return "";
        }

        if (_stops.Length == 0)
        {
            return text;
        }

        _pending.Append(text);
        var pending = _pending.ToString();
        var stopAt = -1;
        foreach (var stop in _stops)
        {
            var index = pending.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (stopAt < 0 || index < stopAt))
            {
                stopAt = index;
            }
        }

        if (stopAt >= 0)
        {
            Stopped = true;
            _pending.Clear();
            return pending[..stopAt];
        }

        var hold = HeldSuffixLength(pending);
        _pending.Clear();
        _pending.Append(pending, pending.Length - hold, hold);
        return pending[..^hold];
    }

    /// <summary>Releases what was held back (the stream ended without completing a stop string).</summary>
    public string Flush()
    {
        var rest = Stopped ? "" : _pending.ToString();
        _pending.Clear();
        return rest;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of a stop string.</summary>
    private int HeldSuffixLength(string text)
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
