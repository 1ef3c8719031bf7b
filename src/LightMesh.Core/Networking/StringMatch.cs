namespace LightMesh.Core.Networking;

/// <summary>How a <see cref="StringMatch"/> compares.</summary>
public enum StringMatchKind
{
    Exact,
    Prefix,
    Regex,
}

/// <summary>Istio's StringMatch: exactly one of exact, prefix or regex (RE2 syntax).</summary>
public sealed record StringMatch(StringMatchKind Kind, string Value);
