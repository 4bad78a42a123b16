namespace Chat.ModelBuilder.Classifier.Internal;

internal static class CommandLine
{
    /// <summary>Joins arguments so the recorded command can be pasted back into a shell.</summary>
    public static string Join(IEnumerable<string> args) =>
        string.Join(' ', args.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+".Contains(c, StringComparison.Ordinal))
            ? a
            : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
}
