using LightMesh.Processes;

namespace LightMesh.Testing;

/// <summary>
/// A real Prometheus on 127.0.0.1 serving exactly the series a test wrote: the OpenMetrics text is backfilled
/// with <c>promtool tsdb create-blocks-from openmetrics</c>, then <c>prometheus</c> starts on that data, scraping nothing.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lightmesh-prometheus-").FullName;
    private readonly int _port = LoopbackPort.Free();
    private LocalProcess? _process;

    public Uri Address => new($"http://127.0.0.1:{_port}/");

    /// <summary>What Prometheus has logged, for a failing test's message.</summary>
    public string Log => _process?.Output ?? "";

    public static async Task<PrometheusServer> StartAsync(string openMetrics)
    {
        var server = new PrometheusServer();
        await server.BackfillAsync(openMetrics);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>A Prometheus that stores nothing given and scrapes what <paramref name="scrapeConfigs"/> (YAML list items) say, every second.</summary>
    public static async Task<PrometheusServer> StartScrapingAsync(string scrapeConfigs)
    {
        var server = new PrometheusServer();
        await File.WriteAllTextAsync(Path.Combine(server._dir, "prometheus.yml"), $"global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n{scrapeConfigs}");
        await server.StartProcessAsync();
        return server;
    }

    private async Task BackfillAsync(string openMetrics)
    {
        var input = Path.Combine(_dir, "series.om");
        await File.WriteAllTextAsync(input, openMetrics);
        await ToolRun.RunCheckedAsync(
            Executables.Require("promtool", "prometheus"), ["tsdb", "create-blocks-from", "openmetrics", input, Path.Combine(_dir, "data")], null, TimeSpan.FromMinutes(2), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(_dir, "prometheus.yml"), "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
    }

    /// <summary>Stops Prometheus, as an outage would.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    private async Task StartProcessAsync() => _process = await LocalProcess.StartAsync(
        new LocalProcessOptions
        {
            Name = "Prometheus",
            Executable = Executables.Require("prometheus", "prometheus"),
            Arguments =
            [
                $"--config.file={Path.Combine(_dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(_dir, "data")}",
                $"--web.listen-address=127.0.0.1:{_port}", "--storage.tsdb.retention.time=30d",
            ],
            KeptLines = 500,
            StopTimeout = TimeSpan.Zero,
        },
        Readiness.Answers(new Uri(Address, "-/ready"), TimeSpan.FromSeconds(30)),
        CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
