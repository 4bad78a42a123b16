namespace Chat.ModelTrainer.Corpus;

/// <summary>
/// The fixed split between training and evaluation values: a value (number pair, text argument,
/// word list, name) is held out when its FNV-1a hash falls in one sixteenth of the range. The
/// generator never emits a held-out value in training, and evaluation draws only held-out ones.
/// </summary>
internal static class HeldOut
{
    private const int Modulus = 16;

    public static bool Contains(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash % Modulus == 0;
    }

    public static string Pair(char op, long a, long b) => $"{op}:{a}:{b}";

    public static string Text(string text) => "text:" + text.ToLowerInvariant();

    public static string Words(IEnumerable<string> words) => "sort:" + string.Join(' ', words.Order(StringComparer.Ordinal));

    public static string Name(string name) => "name:" + name.ToLowerInvariant();
}
