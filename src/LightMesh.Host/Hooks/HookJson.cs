using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Core.Parsing;

namespace LightMesh.Host.Hooks;

/// <summary>Reading a provider's JSON payload: the body as an object, and fields by their dotted path.</summary>
internal static partial class HookJson
{
    /// <summary>The body as a JSON object, or the problem with it, naming where it is.</summary>
    public static (JsonObject? Root, string? Error) Parse(ReadOnlyMemory<byte> body)
    {
        var (root, error) = JsonText.Parse(body.Span);
        return error is not null ? (null, $"body: {error}") : root is JsonObject map ? (map, null) : (null, "body: must be a JSON object");
    }

    /// <summary>The string at <paramref name="path"/> (<c>workflow_run.head_sha</c>); null when absent, null or not a string.</summary>
    public static string? String(JsonNode? root, string path) =>
        At(root, path) is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static bool? Bool(JsonNode? root, string path) =>
        At(root, path) is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.GetValue<bool>() : null;

    /// <summary>
    /// The first of <paramref name="paths"/> that holds a time with an offset (RFC 3339, or GitLab's
    /// <c>2026-12-05 10:00:00 UTC</c>); null when none does.
    /// </summary>
    public static DateTimeOffset? Time(JsonNode? root, params string[] paths)
    {
        foreach (var path in paths)
        {
            var text = String(root, path);
            if (text is not null && text.EndsWith(" UTC", StringComparison.Ordinal))
            {
                text = text[..^4].Replace(' ', 'T') + "Z";
            }

            // An offset is required: a time without one would be read in the controller's own time zone.
            var hasOffset = text is not null && (text.EndsWith('Z') || TimeWithOffset().IsMatch(text));
            if (hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                return at;
            }
        }

        return null;
    }

    public static JsonNode? At(JsonNode? root, string path)
    {
        var node = root;
        foreach (var field in path.Split('.'))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(field, out var child) ? child : null;
        }

        return node;
    }

    /// <summary>The first <paramref name="length"/> characters of a commit sha, or null when it is not one.</summary>
    public static string? ShortSha(string? sha, int length) =>
        sha is not null && sha.Length >= length && sha.All(char.IsAsciiHexDigit) ? sha[..length].ToLowerInvariant() : null;

    /// <summary>A time of day followed by a UTC offset (<c>...T10:00:00+02:00</c>).</summary>
    [GeneratedRegex(@"T.*[+-]\d\d:\d\d$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeWithOffset();
}
