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

    /// <summary>
    /// Single-digit facts (3 * 8, 6 + 9, 2 - 7: a table of 100 per operation) are on both sides of the
    /// split: there is nothing to generalize them from, a learner memorizes them. A held-out 3 * 8 was
    /// never seen in training, yet evaluation drew it for a tenth of its multiplications.
    /// </summary>
    public static bool IsTableFact(long a, long b) => a is >= 0 and <= 9 && b is >= 0 and <= 9;

    /// <summary>
    /// Whether a drawn pair is kept for the given side: any other pair on its side of the split, a table
    /// fact always in training and with the held-out share (one draw in sixteen) in evaluation, so that
    /// evaluation operands keep training's mix of one-, two- and three-digit numbers instead of being
    /// mostly table facts (which every draw would otherwise accept).
    /// </summary>
    public static bool PairOnSide(char op, long a, long b, bool heldOut, Random random) => IsTableFact(a, b)
        ? !heldOut || random.Next(Modulus) == 0
        : Contains(Pair(op, a, b)) == heldOut;

    public static string Text(string text) => "text:" + text.ToLowerInvariant();

    public static string Words(IEnumerable<string> words) => "sort:" + string.Join(' ', words.Order(StringComparer.Ordinal));

    public static string Name(string name) => "name:" + name.ToLowerInvariant();
}
