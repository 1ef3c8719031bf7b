using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using LightMesh.Core;
using LightMesh.Processes;

namespace LightMesh.Bench;

/// <summary>
/// The canaries' health as a real Prometheus sees it, under the benchmark's control: an endpoint on 127.0.0.1 serving
/// the gauge <c>bench_canary_failing{service}</c> (0 for each service until <see cref="Fail"/> turns it to 1), and a
/// Prometheus of its own scraping only that endpoint at <c>scrapeInterval</c>.
/// </summary>
internal sealed class FailingCanaries : IAsyncDisposable
{
    public const string Metric = "bench_canary_failing";
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, int> _failing;
    private readonly HttpListener _endpoint = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-bench-prometheus-").FullName;
    private readonly HttpClient _http = new() { Timeout = QueryTimeout };
    private Task _serving = Task.CompletedTask;
    private LocalProcess? _prometheus;

    private FailingCanaries(IEnumerable<string> services) =>
        _failing = new ConcurrentDictionary<string, int>(services.Select(s => KeyValuePair.Create(s, 0)), StringComparer.Ordinal);

    /// <summary>Prometheus's web UI and API.</summary>
    public Uri Prometheus { get; private set; } = null!;

    /// <summary>
    /// Serves the gauge for <paramref name="services"/>, starts Prometheus on it, and waits until a query sees every
    /// service's series, so that no measurement of the run finds no data.
    /// </summary>
    public static async Task<FailingCanaries> StartAsync(IReadOnlyList<string> services, TimeSpan scrapeInterval, CancellationToken cancellationToken)
    {
        var canaries = new FailingCanaries(services);
        try
        {
            await canaries.StartCoreAsync(scrapeInterval, cancellationToken);
            return canaries;
        }
        catch
        {
            await canaries.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(TimeSpan scrapeInterval, CancellationToken cancellationToken)
    {
        var port = LoopbackPort.Free();
        _endpoint.Prefixes.Add($"http://127.0.0.1:{port}/");
        _endpoint.Start();
        _serving = ServeAsync();

        var every = $"{(long)scrapeInterval.TotalMilliseconds}ms";
        var config = Path.Combine(_directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: {every}
              scrape_timeout: {every}
            scrape_configs:
            - job_name: bench
              static_configs:
              - targets: ['127.0.0.1:{port}']
            """, cancellationToken);
        Prometheus = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        _prometheus = await LocalProcess.StartAsync(
            new LocalProcessOptions
            {
                Name = "Prometheus",
                Executable = ExecutableSearch.Require(Prerequisites.Prometheus),
                Arguments = LocalPrometheus.Arguments(config, _directory, Prometheus),
                LogFile = Path.Combine(_directory, "prometheus.log"),
                StopTimeout = TimeSpan.Zero,
            },
            LocalPrometheus.Ready(Prometheus),
            cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await SeriesAsync($"count({Metric})", timeout.Token) is not [{ Values: [(_, var count)] }] || count < _failing.Count)
        {
            await Task.Delay(scrapeInterval, timeout.Token);
        }
    }

    /// <summary>Turns <paramref name="service"/>'s gauge to 1: its next scrape is the failing sample.</summary>
    public void Fail(string service) => _failing[service] = 1;

    /// <summary>When Prometheus scraped the first sample of <paramref name="service"/>'s gauge at 1 (Prometheus stamps a sample with its scrape's start).</summary>
    public async Task<DateTimeOffset> FirstFailingSampleAsync(string service, CancellationToken cancellationToken)
    {
        var series = await SeriesAsync($"{Metric}{{service=\"{service}\"}}[5m]", cancellationToken);
        foreach (var (at, value) in series.SelectMany(s => s.Values).OrderBy(v => v.At))
        {
            if (value >= 1)
            {
                return at;
            }
        }

        throw new LightMeshException($"Prometheus holds no failing sample of {service}");
    }

    /// <summary>The series a query gives, each with its samples (one for an instant vector).</summary>
    private async Task<IReadOnlyList<(string Labels, IReadOnlyList<(DateTimeOffset At, double Value)> Values)>> SeriesAsync(string query, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(QueryTimeout);
        var url = new Uri(Prometheus, $"api/v1/query?query={Uri.EscapeDataString(query)}");
        using var answer = JsonDocument.Parse(await _http.GetStringAsync(url, timeout.Token));
        var data = answer.RootElement.GetProperty("data");
        var matrix = data.GetProperty("resultType").GetString() == "matrix";
        return data.GetProperty("result").EnumerateArray().Select(s => (
            s.GetProperty("metric").GetRawText(),
            (IReadOnlyList<(DateTimeOffset, double)>)(matrix ? s.GetProperty("values").EnumerateArray().Select(Sample).ToList() : [Sample(s.GetProperty("value"))])))
            .ToList();

        static (DateTimeOffset, double) Sample(JsonElement pair) => (
            DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(pair[0].GetDouble() * 1000)),
            double.Parse(pair[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _endpoint.GetContextAsync().WaitAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var body = new StringBuilder($"# TYPE {Metric} gauge\n");
            foreach (var (service, failing) in _failing)
            {
                body.Append(CultureInfo.InvariantCulture, $"{Metric}{{service=\"{service}\"}} {failing}\n");
            }

            var bytes = Encoding.UTF8.GetBytes(body.ToString());
            try
            {
                context.Response.ContentType = "text/plain; version=0.0.4";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // A scrape Prometheus gave up on (it timed out, or it is stopping) needs no answer.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        _endpoint.Close();
        await _serving;
        _http.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Prometheus's data left in a temp directory is harmless.
        }
    }
}
