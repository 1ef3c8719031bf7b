using System.Globalization;
using System.Text.RegularExpressions;

namespace LightMesh.Core.Validation;

/// <summary>A duration as Istio documents write it (<c>500ms</c>, <c>1.5s</c>, <c>1h30m</c>), keeping the original text.</summary>
public readonly partial record struct Duration(TimeSpan Value, string Text)
{
    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string text, out Duration duration)
    {
        duration = default;
        if (!Pattern().IsMatch(text))
        {
            return false;
        }

        double ticks = 0;
        foreach (Match part in Part().Matches(text))
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += amount * part.Groups[2].Value switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" => TimeSpan.TicksPerMicrosecond,
                _ => 0.01, // ns: a tick is 100 ns
            };
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = new Duration(TimeSpan.FromTicks((long)ticks), text);
        return true;
    }

    /// <summary>A duration written the way <see cref="TryParse"/> reads it, in its largest whole unit: <c>5m</c>, <c>10s</c>, <c>250ms</c>.</summary>
    public static Duration Of(TimeSpan value)
    {
        (long PerUnit, string Unit)[] units = [(TimeSpan.TicksPerHour, "h"), (TimeSpan.TicksPerMinute, "m"), (TimeSpan.TicksPerSecond, "s"), (TimeSpan.TicksPerMillisecond, "ms"), (TimeSpan.TicksPerMicrosecond, "us")];
        var (perUnit, unit) = value.Ticks == 0 ? (TimeSpan.TicksPerSecond, "s") : units.FirstOrDefault(u => value.Ticks % u.PerUnit == 0, (1, "00ns")); // a tick is 100 ns
        return new Duration(value, string.Create(CultureInfo.InvariantCulture, $"{value.Ticks / perUnit}{unit}"));
    }

    public override string ToString() => Text;
}
