using System.Text.Json;

namespace LightMesh.Core.Parsing;

/// <summary>
/// Finds comments in text meant as JSON. JSON has none, and read as YAML a <c>//</c> comment turns into part of a key or
/// value, so the error that follows would name the wrong thing; naming the comment says what is wrong.
/// </summary>
internal static class JsonComments
{
    /// <summary>
    /// The line of the first comment in <paramref name="utf8"/> when it reads as JSON once comments are allowed; null when
    /// it holds none or is not JSON with comments either.
    /// </summary>
    public static int? FirstLine(ReadOnlySpan<byte> utf8)
    {
        // Deeper than the parser's own limit, so nesting is refused there with its path rather than here.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Allow, MaxDepth = DocumentLimits.MaxDepth + 1 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Comment)
                {
                    return utf8[..(int)reader.TokenStartIndex].Count((byte)'\n') + 1;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON, comments or not: whoever reads it next says what is wrong.
        }

        return null;
    }

    /// <summary>The error for a comment on <paramref name="line"/>.</summary>
    public static string Error(int line) => $"line {line}: a comment, which JSON does not allow (remove it, or write YAML, whose comments start with #)";
}
