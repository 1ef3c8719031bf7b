using System.Globalization;

namespace LightMesh.Bench;

/// <summary>The duration options of the benchmarks (<c>--duration 60s</c>), read and checked the same way by each.</summary>
internal static class BenchDurations
{
    /// <summary><paramref name="text"/> as a duration; zero when it does not read (its check names it).</summary>
    public static TimeSpan Of(string text) => Core.Validation.Duration.TryParse(text, out var d) ? d.Value : TimeSpan.Zero;

    /// <summary>The error for <paramref name="flag"/> when <paramref name="text"/> is not a duration of <paramref name="min"/>..<paramref name="max"/>; null when it is.</summary>
    public static string? Check(string flag, string text, TimeSpan min, TimeSpan max) =>
        Core.Validation.Duration.TryParse(text, out var d) && d.Value >= min && d.Value <= max
            ? null
            : $"{flag}: \"{text}\" must be a duration of {Text(min)}..{Text(max)}";

    private static string Text(TimeSpan span) => span switch
    {
        { TotalMinutes: >= 1 } when span.Seconds == 0 => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalSeconds}s"),
    };
}
