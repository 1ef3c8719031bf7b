using System.Diagnostics;
using System.Text;

namespace LightMesh.Testing;

/// <summary>
/// A real Prometheus on 127.0.0.1 serving exactly the series a test wrote: the OpenMetrics text is backfilled
/// with <c>promtool tsdb create-blocks-from openmetrics</c>, then <c>prometheus</c> starts on that data, scraping nothing.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lightmesh-prometheus-").FullName;
    private readonly int _port = Ports.Free();
    private readonly StringBuilder _output = new();
    private Process? _process;

    public Uri Address => new($"http://127.0.0.1:{_port}/");

    public static async Task<PrometheusServer> StartAsync(string openMetrics)
    {
        var server = new PrometheusServer();
        await server.BackfillAsync(openMetrics);
        await server.StartProcessAsync();
        return server;
    }

    private async Task BackfillAsync(string openMetrics)
    {
        var input = Path.Combine(_dir, "series.om");
        await File.WriteAllTextAsync(input, openMetrics);
        var info = new ProcessStartInfo(Executables.Require("promtool", "prometheus"), ["tsdb", "create-blocks-from", "openmetrics", input, Path.Combine(_dir, "data")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var promtool = Process.Start(info)!;
        var output = await promtool.StandardOutput.ReadToEndAsync();
        var errors = await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        if (promtool.ExitCode != 0)
        {
            throw new InvalidOperationException($"promtool could not backfill the series:\n{output}\n{errors}");
        }

        await File.WriteAllTextAsync(Path.Combine(_dir, "prometheus.yml"), "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
    }

    /// <summary>Stops Prometheus, as an outage would.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(Executables.Require("prometheus", "prometheus"),
        [
            $"--config.file={Path.Combine(_dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(_dir, "data")}",
            $"--web.listen-address=127.0.0.1:{_port}", "--storage.tsdb.retention.time=30d",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync(new Uri(Address, "-/ready"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not up yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"prometheus did not become ready:\n{Output}");
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

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
