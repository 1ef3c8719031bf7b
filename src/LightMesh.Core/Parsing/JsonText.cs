using System.Text.Json;
using System.Text.Json.Nodes;

namespace LightMesh.Core.Parsing;

/// <summary>
/// Reads JSON that comes from outside (a webhook's body, a value in etcd) into a <see cref="JsonNode"/> that can be read
/// all over without an exception: System.Text.Json takes some input it later fails on (a duplicate key, a <c>\ud800</c>
/// escape, which is half a character) and reads bytes that are not UTF-8 as U+FFFD; here each is an error saying where.
/// </summary>
public static class JsonText
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>The tree of <paramref name="utf8"/>, or what is wrong with it; nesting is limited to <see cref="DocumentLimits.MaxDepth"/>.</summary>
    public static (JsonNode? Root, string? Error) Parse(ReadOnlySpan<byte> utf8)
    {
        if (DocumentCharacters.Utf8Error(utf8) is { } notUtf8)
        {
            return (null, notUtf8);
        }

        try
        {
            if (HalfCharacter(utf8) is { } line)
            {
                return (null, $"line {line}: a \\u escape of half a surrogate pair, which is not a character");
            }

            return (JsonNode.Parse(utf8, documentOptions: Strict), null);
        }
        catch (JsonException e)
        {
            return (null, JsonComments.FirstLine(utf8) is { } comment ? JsonComments.Error(comment) : $"not valid JSON: {e.Message}");
        }
    }

    /// <summary>The line of the first string or key whose escapes make no string, or null; throws JsonException on what is not JSON.</summary>
    private static int? HalfCharacter(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        while (reader.Read())
        {
            if (reader is { TokenType: JsonTokenType.String or JsonTokenType.PropertyName, ValueIsEscaped: true })
            {
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return utf8[..(int)reader.TokenStartIndex].Count((byte)'\n') + 1;
                }
            }
        }

        return null;
    }
}
