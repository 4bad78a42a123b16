namespace Chat.Inference.Tokenization.Internal;

/// <summary>
/// GPT-2's reversible byte-to-character table: printable Latin-1 bytes map to themselves, the other
/// 68 bytes to U+0100 and up, so every byte string becomes a string of visible characters.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToCharTable = BuildByteToChar();
    private static readonly short[] CharToByteTable = BuildCharToByte(ByteToCharTable);

    public static char ByteToChar(byte value) => ByteToCharTable[value];

    /// <summary>The byte a mapped character stands for, or -1 when the character is not in the table.</summary>
    public static int CharToByte(char value) => value < CharToByteTable.Length ? CharToByteTable[value] : -1;

    /// <summary>Maps the UTF-8 bytes of <paramref name="text"/> to the byte-level alphabet.</summary>
    public static string Map(ReadOnlySpan<char> text)
    {
        var byteCount = System.Text.Encoding.UTF8.GetByteCount(text);
        byte[]? rentedBytes = null;
        char[]? rentedChars = null;
        Span<byte> bytes = byteCount <= 256 ? stackalloc byte[byteCount] : (rentedBytes = System.Buffers.ArrayPool<byte>.Shared.Rent(byteCount));
        Span<char> chars = byteCount <= 256 ? stackalloc char[byteCount] : (rentedChars = System.Buffers.ArrayPool<char>.Shared.Rent(byteCount));
        try
        {
            var written = System.Text.Encoding.UTF8.GetBytes(text, bytes);
            for (var i = 0; i < written; i++)
            {
                chars[i] = ByteToCharTable[bytes[i]];
            }

            return new string(chars[..written]);
        }
        finally
        {
            if (rentedBytes is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rentedBytes);
                System.Buffers.ArrayPool<char>.Shared.Return(rentedChars!);
            }
        }
    }

    /// <summary>
    /// Bytes of a token under the ByteLevel decoder: each character through the table, or, as the
    /// reference decoder does, the token's own UTF-8 when any character is outside the table
    /// (added tokens such as "&lt;|im_start|&gt;" or whitespace runs).
    /// </summary>
    public static byte[] Unmap(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            var value = CharToByte(token[i]);
            if (value < 0)
            {
                return System.Text.Encoding.UTF8.GetBytes(token);
            }

            bytes[i] = (byte)value;
        }

        return bytes;
    }

    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }

    private static short[] BuildCharToByte(char[] byteToChar)
    {
        var table = new short[324];
        Array.Fill(table, (short)-1);
        for (var b = 0; b < 256; b++)
        {
            table[byteToChar[b]] = (short)b;
        }

        return table;
    }
}
