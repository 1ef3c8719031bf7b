using System.Globalization;

namespace LightMesh.Bench;

/// <summary>A server the benchmark measures: its process, and where its Prometheus metrics are served.</summary>
internal sealed record ScrapedProcess(int Id, Uri Metrics)
{
    /// <summary>The sum of a metric's series (all its labels, or exactly the one named with its labels), or null if it has none.</summary>
    public async Task<double?> MetricAsync(HttpClient http, string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var text = await http.GetStringAsync(Metrics, timeout.Token);
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            var value = line.LastIndexOf(' ');
            var series = value > 0 ? line[..value] : "";
            if ((series == name || series.StartsWith(name + "{", StringComparison.Ordinal))
                && double.TryParse(line[(value + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var sample))
            {
                sum = (sum ?? 0) + sample;
            }
        }

        return sum;
    }
}
