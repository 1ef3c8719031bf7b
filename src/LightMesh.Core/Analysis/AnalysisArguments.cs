using System.Text.RegularExpressions;

namespace LightMesh.Core.Analysis;

/// <summary><c>{{name}}</c> placeholders in queries, and the arguments every run provides.</summary>
public static partial class AnalysisArguments
{
    /// <summary>Given by every run: the service and its port, its canary and stable versions, the namespace, the metric's interval.</summary>
    public static readonly IReadOnlyList<string> BuiltIn = ["service", "port", "canary", "stable", "namespace", "interval"];

    [GeneratedRegex(@"\{\{\s*([A-Za-z][A-Za-z0-9_-]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>The argument names <paramref name="text"/> refers to.</summary>
    public static IEnumerable<string> Referenced(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>Replaces every placeholder; returns the names that had no value instead of a text when any did not.</summary>
    public static (string? Text, IReadOnlyList<string> Missing) Substitute(string text, IReadOnlyDictionary<string, string> values)
    {
        var missing = Referenced(text).Where(n => !values.ContainsKey(n)).Distinct(StringComparer.Ordinal).ToList();
        return missing.Count > 0 ? (null, missing) : (Placeholder().Replace(text, m => values[m.Groups[1].Value]), []);
    }
}
