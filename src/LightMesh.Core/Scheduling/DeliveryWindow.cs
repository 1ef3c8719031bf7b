using LightMesh.Core.Documents;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Scheduling;

/// <summary>Whether a window lets releases advance, or stops them.</summary>
public enum WindowType
{
    /// <summary>Releases of its services advance only while one of their allow windows is open.</summary>
    Allow,

    /// <summary>While open, no release of its services starts or advances, whatever the allow windows say.</summary>
    Freeze,
}

/// <summary>
/// When releases may advance (<c>kind: DeliveryWindow</c>): windows that open on a cron and stay open for a duration, or
/// once between two times, for some services or all of them.
/// </summary>
public sealed record DeliveryWindow : Document
{
    public override DocumentKind Kind => DocumentKind.DeliveryWindow;
    public required DeliveryWindowSpec Spec { get; init; }
}

/// <summary>The <c>spec</c> of a <see cref="DeliveryWindow"/>: a type, the services, and a recurring or one-off time span.</summary>
public sealed record DeliveryWindowSpec
{
    public required WindowType Type { get; init; }

    /// <summary>Service names, or patterns with <c>*</c>; null or empty means every service.</summary>
    public IReadOnlyList<string>? Services { get; init; }

    /// <summary>When each window opens (with <see cref="Duration"/>); or <see cref="Start"/>/<see cref="End"/> for one window.</summary>
    public CronSchedule? Schedule { get; init; }

    public Duration? Duration { get; init; }

    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }

    /// <summary>True when the window concerns <paramref name="service"/>.</summary>
    public bool Covers(string service) => Services is null or [] || Services.Any(pattern => Glob(pattern, service));

    /// <summary>The window open at <paramref name="at"/>, as (opened, closes); null when none is.</summary>
    public (DateTimeOffset Opened, DateTimeOffset Closes)? OpenAt(DateTimeOffset at)
    {
        if (Start is { } start && End is { } end)
        {
            return start <= at && at < end ? (start, end) : null;
        }

        // Windows of one schedule all last as long, so the latest opening is the one that closes last.
        if (Schedule?.Latest(at) is { } opened && Duration is { } duration && at < opened + duration.Value)
        {
            return (opened, opened + duration.Value);
        }

        return null;
    }

    /// <summary>The next time after <paramref name="after"/> a window opens; null if none will.</summary>
    public DateTimeOffset? NextOpening(DateTimeOffset after) =>
        Start is { } start ? (start > after ? start : null) : Schedule?.Next(after);

    private static bool Glob(string pattern, string name)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return pattern == name;
        }

        var parts = pattern.Split('*');
        if (!name.StartsWith(parts[0], StringComparison.Ordinal) || !name.EndsWith(parts[^1], StringComparison.Ordinal) || name.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var at = parts[0].Length;
        foreach (var middle in parts[1..^1])
        {
            var found = name.IndexOf(middle, at, StringComparison.Ordinal);
            if (found < 0 || found + middle.Length > name.Length - parts[^1].Length)
            {
                return false;
            }

            at = found + middle.Length;
        }

        return true;
    }
}
