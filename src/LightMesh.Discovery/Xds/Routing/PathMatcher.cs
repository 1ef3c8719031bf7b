using System.Text.RegularExpressions;

namespace LightMesh.Discovery.Xds.Routing;

/// <summary>How a route's path is given: a prefix, the exact path, or a regular expression over the whole path.</summary>
internal enum PathMatchKind
{
    Prefix,
    Exact,
    Regex,
}

/// <summary>Matches a call's path (<c>/package.Service/Method</c>) as a route's <c>match</c> says.</summary>
internal sealed record PathMatcher(PathMatchKind Kind, string Value, bool CaseSensitive, Regex? Pattern = null)
{
    public bool Matches(string path)
    {
        var comparison = CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return Kind switch
        {
            PathMatchKind.Prefix => path.StartsWith(Value, comparison),
            PathMatchKind.Exact => string.Equals(path, Value, comparison),
            _ => Pattern!.IsMatch(path),
        };
    }

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Value}";
}
