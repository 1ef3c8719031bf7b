using System.Globalization;
using System.Text.RegularExpressions;

namespace LightMesh.Discovery.Xds.Routing;

/// <summary>What a header matcher compares the header's value with.</summary>
internal enum HeaderMatchKind
{
    Exact,
    Prefix,
    Suffix,
    Contains,
    Regex,
    Range,
    Present,
}

/// <summary>
/// One of a route's header matchers. A header the call does not carry matches nothing but a presence check, whatever
/// <see cref="Invert"/> says (as gRPC's xDS clients do); several values of one header are matched joined by commas.
/// </summary>
internal sealed record HeaderRule(string Name, HeaderMatchKind Kind, string Value = "", bool IgnoreCase = false, bool Invert = false)
{
    public Regex? Pattern { get; init; }

    /// <summary>For <see cref="HeaderMatchKind.Range"/>: the first value in range.</summary>
    public long RangeStart { get; init; }

    /// <summary>For <see cref="HeaderMatchKind.Range"/>: the first value past the range.</summary>
    public long RangeEnd { get; init; }

    /// <summary>For <see cref="HeaderMatchKind.Present"/>: true to require the header, false to require its absence.</summary>
    public bool MustBePresent { get; init; } = true;

    public bool Matches(string? value)
    {
        if (Kind == HeaderMatchKind.Present)
        {
            return (value is not null) == (MustBePresent != Invert);
        }

        if (value is null)
        {
            return false;
        }

        var comparison = IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var matched = Kind switch
        {
            HeaderMatchKind.Exact => string.Equals(value, Value, comparison),
            HeaderMatchKind.Prefix => value.StartsWith(Value, comparison),
            HeaderMatchKind.Suffix => value.EndsWith(Value, comparison),
            HeaderMatchKind.Contains => value.Contains(Value, comparison),
            HeaderMatchKind.Regex => Pattern!.IsMatch(value),
            _ => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= RangeStart && number < RangeEnd,
        };
        return matched != Invert;
    }
}
