using System.Text.Json;
using LightMesh.Core;

namespace LightMesh.Demo;

/// <summary>
/// Which shared frameworks an app needs and which installed version the host would run it on, so the image carries that
/// one version of each and nothing else (the SDK, other frameworks and versions would double its size).
/// </summary>
public static class FrameworkVersions
{
    /// <summary>The frameworks a runtimeconfig.json asks for (<c>runtimeOptions.frameworks</c>, or the older single <c>framework</c>).</summary>
    public static IReadOnlyList<FrameworkReference> FromRuntimeConfig(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("runtimeOptions", out var options))
            {
                throw new LightMeshException("runtimeconfig.json has no runtimeOptions");
            }

            var frameworks = options.TryGetProperty("frameworks", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().ToList()
                : options.TryGetProperty("framework", out var single) ? [single] : [];
            return frameworks.Count == 0
                ? throw new LightMeshException("runtimeconfig.json names no framework: the app is self-contained, not framework-dependent")
                : [.. frameworks.Select(f => new FrameworkReference(Text(f, "name"), Text(f, "version")))];
        }
        catch (JsonException e)
        {
            throw new LightMeshException($"runtimeconfig.json is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>
    /// The version the host rolls <paramref name="requested"/> forward to among <paramref name="installed"/>: the highest
    /// patch of the same major.minor, at least the one asked for. Pre-releases count only when a pre-release is asked for,
    /// as with the host's defaults. Null when none fits.
    /// </summary>
    public static string? Choose(string requested, IEnumerable<string> installed)
    {
        if (Parse(requested) is not { } wanted)
        {
            throw new LightMeshException($"\"{requested}\" is not a framework version (MAJOR.MINOR.PATCH[-PRERELEASE])");
        }

        return installed
            .Select(text => (Text: text, Version: Parse(text)))
            .Where(v => v.Version is { } found
                && found.Number.Major == wanted.Number.Major
                && found.Number.Minor == wanted.Number.Minor
                && (wanted.Prerelease is not null || found.Prerelease is null)
                && Compare(found, wanted) >= 0)
            .OrderByDescending(v => v.Version!.Value, Comparer<(Version, string?)>.Create(Compare))
            .Select(v => v.Text)
            .FirstOrDefault();
    }

    /// <summary>The highest of <paramref name="versions"/> (the host uses the newest <c>host/fxr</c>); null when there is none.</summary>
    public static string? Highest(IEnumerable<string> versions) =>
        versions
            .Select(text => (Text: text, Version: Parse(text)))
            .Where(v => v.Version is not null)
            .OrderByDescending(v => v.Version!.Value, Comparer<(Version, string?)>.Create(Compare))
            .Select(v => v.Text)
            .FirstOrDefault();

    private static (Version Number, string? Prerelease)? Parse(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var number = dash < 0 ? text : text[..dash];
        return Version.TryParse(number, out var parsed) && parsed.Build >= 0 && parsed.Revision < 0
            ? (parsed, dash < 0 ? null : text[(dash + 1)..])
            : null;
    }

    /// <summary>By number, then a release above its pre-releases, then pre-release labels in ordinal order (enough for rc.1 &lt; rc.2).</summary>
    private static int Compare((Version Number, string? Prerelease) a, (Version Number, string? Prerelease) b)
    {
        var byNumber = a.Number.CompareTo(b.Number);
        if (byNumber != 0)
        {
            return byNumber;
        }

        return (a.Prerelease, b.Prerelease) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            var (x, y) => string.CompareOrdinal(x, y),
        };
    }

    private static string Text(JsonElement framework, string property) =>
        framework.ValueKind == JsonValueKind.Object && framework.TryGetProperty(property, out var value) && value.GetString() is { Length: > 0 } text
            ? text
            : throw new LightMeshException($"runtimeconfig.json: a framework has no {property}");
}
