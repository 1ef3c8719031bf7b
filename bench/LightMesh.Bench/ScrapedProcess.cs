using System.Globalization;

namespace LightMesh.Bench;

/// <summary>A server the benchmark measures: its process, and where its Prometheus metrics are served.</summary>
internal sealed record ScrapedProcess(int Id, Uri Metrics)
{
    /// <summary>One read of its metrics, in which several can be looked up at the same moment.</summary>
    public async Task<MetricsScrape> ScrapeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return new MetricsScrape(await http.GetStringAsync(Metrics, timeout.Token));
    }

    /// <summary>One metric of a read of its own (see <see cref="MetricsScrape.Sum"/>).</summary>
    public async Task<double?> MetricAsync(HttpClient http, string name, CancellationToken cancellationToken) =>
        (await ScrapeAsync(http, cancellationToken)).Sum(name);
}

/// <summary>The text of one read of a server's Prometheus metrics.</summary>
internal sealed record MetricsScrape(string Text)
{
    /// <summary>The sum of a metric's series (all its labels, or exactly the one named with its labels), or null if it has none.</summary>
    public double? Sum(string name)
    {
        double? sum = null;
        foreach (var line in Text.Split('\n'))
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
