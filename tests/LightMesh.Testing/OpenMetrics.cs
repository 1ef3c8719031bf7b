using System.Globalization;
using System.Text;

namespace LightMesh.Testing;

/// <summary>Writes exact series as OpenMetrics text for backfilling: counters, gauges and histograms at fixed steps.</summary>
public sealed class OpenMetrics
{
    private readonly Dictionary<string, (string Type, List<string> Lines)> _families = new(StringComparer.Ordinal);

    /// <summary>A counter <c>{name}_total</c> growing by <paramref name="perStep"/>(i) at each timestamp.</summary>
    public OpenMetrics Counter(string name, string labels, IEnumerable<DateTimeOffset> times, Func<int, double> perStep)
    {
        double total = 0;
        var i = 0;
        foreach (var at in times)
        {
            total += perStep(i++);
            Add(name, "counter", $"{name}_total{{{labels}}} {Format(total)} {Seconds(at)}");
        }

        return this;
    }

    public OpenMetrics Gauge(string name, string labels, IEnumerable<DateTimeOffset> times, Func<int, double> value)
    {
        var i = 0;
        foreach (var at in times)
        {
            Add(name, "gauge", $"{name}{{{labels}}} {Format(value(i++))} {Seconds(at)}");
        }

        return this;
    }

    /// <summary>A histogram whose observations at each step all fall at <paramref name="observation"/>(i), <paramref name="count"/> of them.</summary>
    public OpenMetrics Histogram(string name, string labels, double[] bounds, IEnumerable<DateTimeOffset> times, int count, Func<int, double> observation)
    {
        var buckets = new double[bounds.Length];
        double sum = 0;
        double total = 0;
        var i = 0;
        foreach (var at in times)
        {
            var value = observation(i++);
            for (var b = 0; b < bounds.Length; b++)
            {
                buckets[b] += value <= bounds[b] ? count : 0;
            }

            sum += value * count;
            total += count;
            for (var b = 0; b < bounds.Length; b++)
            {
                Add(name, "histogram", $"{name}_bucket{{{labels},le=\"{Format(bounds[b])}\"}} {Format(buckets[b])} {Seconds(at)}");
            }

            Add(name, "histogram", $"{name}_bucket{{{labels},le=\"+Inf\"}} {Format(total)} {Seconds(at)}");
            Add(name, "histogram", $"{name}_count{{{labels}}} {Format(total)} {Seconds(at)}");
            Add(name, "histogram", $"{name}_sum{{{labels}}} {Format(sum)} {Seconds(at)}");
        }

        return this;
    }

    /// <summary>Timestamps every <paramref name="step"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public static IEnumerable<DateTimeOffset> Times(DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        for (var at = start; at <= end; at += step)
        {
            yield return at;
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (name, (type, lines)) in _families)
        {
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} {type}\n");
            foreach (var line in lines)
            {
                text.Append(line).Append('\n');
            }
        }

        return text.Append("# EOF\n").ToString();
    }

    private void Add(string name, string type, string line)
    {
        if (!_families.TryGetValue(name, out var family))
        {
            family = (type, []);
            _families[name] = family;
        }

        family.Lines.Add(line);
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
