using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LightMesh.Core.Analysis;

/// <summary>
/// <c>{{name}}</c> placeholders in queries and addresses, the arguments every run provides, and what a value put into a
/// query may hold. A condition's arguments are not substituted here: <see cref="Condition"/> binds them as values.
/// </summary>
public static partial class AnalysisArguments
{
    /// <summary>Given by every run: the service and its port, its canary and stable versions, the namespace, the metric's interval.</summary>
    public static readonly IReadOnlyList<string> BuiltIn = ["service", "port", "canary", "stable", "namespace", "interval"];

    /// <summary>The longest value a query or address takes, in characters.</summary>
    public const int MaxQueryValueLength = 256;

    /// <summary>What a query argument may hold, for messages.</summary>
    public const string QueryValueRule = "letters, digits, '.', '_' and '-' only, at most 256 characters";

    [GeneratedRegex(@"\{\{\s*([A-Za-z][A-Za-z0-9_-]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>The argument names <paramref name="text"/> refers to.</summary>
    public static IEnumerable<string> Referenced(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>
    /// True when <paramref name="value"/> can go into a PromQL query or an address as text: it holds no quote, backslash,
    /// space, brace, bracket, parenthesis, operator or comma, so inside a label string it cannot end the string and
    /// elsewhere it is one name or number, never more query.
    /// </summary>
    public static bool IsSafeInQuery(string value) =>
        value.Length <= MaxQueryValueLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>
    /// Replaces every placeholder; gives no text, and the names at fault, when an argument has no value or a value
    /// <see cref="IsSafeInQuery"/> refuses.
    /// </summary>
    public static ArgumentSubstitution Substitute(string text, IReadOnlyDictionary<string, string> values)
    {
        var referenced = Referenced(text).Distinct(StringComparer.Ordinal).ToList();
        var missing = referenced.Where(n => !values.ContainsKey(n)).ToList();
        var unsafeValues = referenced.Where(n => values.TryGetValue(n, out var value) && !IsSafeInQuery(value)).ToList();
        return missing.Count > 0 || unsafeValues.Count > 0
            ? new ArgumentSubstitution(null, missing, unsafeValues)
            : new ArgumentSubstitution(Placeholder().Replace(text, m => values[m.Groups[1].Value]), [], []);
    }

    /// <summary>A value as a message shows it: quoted, control characters escaped, and cut short past 60 characters.</summary>
    public static string Show(string value)
    {
        var shown = new StringBuilder("\"");
        foreach (var c in value.Length > 60 ? value[..60] : value)
        {
            _ = c switch
            {
                '"' => shown.Append("\\\""),
                '\\' => shown.Append("\\\\"),
                _ when char.IsControl(c) || char.IsSurrogate(c) => shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => shown.Append(c),
            };
        }

        shown.Append('"');
        return value.Length > 60 ? shown.Append(CultureInfo.InvariantCulture, $"... ({value.Length} characters)").ToString() : shown.ToString();
    }
}
