using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace LightMesh.Core.Parsing;

/// <summary>
/// What a document may be made of: UTF-8 text whose characters are YAML's printable ones, so no control character
/// but tab and line ends, no lone surrogate and no U+FFFE/U+FFFF. JSON's strings may hold more; ours may not, as a
/// NUL or an escape character in a name or header only ever does harm further on.
/// </summary>
internal static class DocumentCharacters
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The text of <paramref name="utf8"/> (without a byte order mark), or why it is not UTF-8, naming where.</summary>
    public static (string? Text, string? Error) Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith(ByteOrderMark))
        {
            utf8 = utf8[ByteOrderMark.Length..];
        }

        return Utf8Error(utf8) is { } error ? (null, error) : (Encoding.UTF8.GetString(utf8), null);
    }

    /// <summary>Where <paramref name="utf8"/> stops being UTF-8, as an error; null when it is UTF-8 throughout.</summary>
    public static string? Utf8Error(ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8))
        {
            return null;
        }

        var chars = ArrayPool<char>.Shared.Rent(utf8.Length);
        try
        {
            Utf8.ToUtf16(utf8, chars, out var read, out _, replaceInvalidSequences: false);
            var (line, column) = Position(utf8[..read]);
            return $"not valid UTF-8: byte 0x{utf8[read]:X2} at line {line}, column {column} (offset {read}); documents are UTF-8 text";
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Where the first character a document may not hold is in <paramref name="text"/>, as an error; null when there is none.</summary>
    public static string? CheckText(string text)
    {
        var at = FirstForbidden(text);
        if (at < 0)
        {
            return null;
        }

        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < at; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return $"line {line}, column {at - lineStart + 1}: {Describe(text, at)} is not allowed; documents are text, with no control character but tab and line ends";
    }

    /// <summary>The index of the first character a document may not hold, or -1.</summary>
    public static int FirstForbidden(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (!IsAllowed(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The character at <paramref name="index"/> by its code point, and its name when it has a well-known one.</summary>
    public static string Describe(string text, int index)
    {
        var c = text[index];
        var code = $"U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)}";
        return c switch
        {
            '\0' => $"{code} (NUL)",
            '\u001B' => $"{code} (escape)",
            '\u007F' => $"{code} (delete)",
            _ when char.IsSurrogate(c) => $"{code} (a lone surrogate)",
            _ => code,
        };
    }

    // YAML 1.2's printable characters (c-printable), less the surrogate pairs, which FirstForbidden lets through whole.
    private static bool IsAllowed(char c) =>
        c is '\t' or '\n' or '\r' or (>= ' ' and <= '~') or '\u0085' or (>= '\u00A0' and <= '\uD7FF') or (>= '\uE000' and <= '\uFFFD');

    private static (int Line, int Column) Position(ReadOnlySpan<byte> before)
    {
        var lastNewline = before.LastIndexOf((byte)'\n');
        return (before.Count((byte)'\n') + 1, before.Length - lastNewline);
    }
}
