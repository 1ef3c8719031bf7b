using System.Net;
using LightMesh.Host.Security;

namespace LightMesh.Processes;

/// <summary>The demo's own Prometheus on 127.0.0.1, finding instances through the controller; its files under the run directory.</summary>
public sealed class LocalPrometheus : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private LocalPrometheus(Uri url, string configFile, LocalProcess process)
    {
        Url = url;
        ConfigFile = configFile;
        Process = process;
    }

    /// <summary>The web UI and API, e.g. <c>http://127.0.0.1:41235/</c>.</summary>
    public Uri Url { get; }

    public string ConfigFile { get; }

    public LocalProcess Process { get; }

    /// <summary>
    /// Writes <c>prometheus.yml</c> and <c>prometheus-token</c> (0600) into <paramref name="runDirectory"/>, starts
    /// Prometheus with its data in <c>prometheus-data</c> and its log in <c>prometheus.log</c>, and waits until <c>/-/ready</c> answers 200.
    /// </summary>
    public static async Task<LocalPrometheus> StartAsync(LocalPrometheusOptions options, string runDirectory, CancellationToken cancellationToken)
    {
        var configFile = await WriteConfigAsync(options, runDirectory, cancellationToken);
        var url = new Uri($"http://127.0.0.1:{options.Port ?? LoopbackPort.Free()}/");
        var process = await LocalProcess.StartAsync(
            new LocalProcessOptions
            {
                Name = "Prometheus",
                Executable = ExecutableSearch.Require(Prerequisites.Prometheus),
                Arguments = Arguments(configFile, runDirectory, url),
                LogFile = Path.Combine(runDirectory, "prometheus.log"),
            },
            Ready(url),
            cancellationToken);
        return new LocalPrometheus(url, configFile, process);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>Writes <c>prometheus-token</c> (0600) and <c>prometheus.yml</c> into <paramref name="runDirectory"/>; returns the configuration's path.</summary>
    public static async Task<string> WriteConfigAsync(LocalPrometheusOptions options, string runDirectory, CancellationToken cancellationToken)
    {
        if (options.Check() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        Directory.CreateDirectory(runDirectory);
        var tokenFile = TokenFile.Write(Path.GetFullPath(Path.Combine(runDirectory, "prometheus-token")), options.DiscoveryToken);

        var configFile = Path.Combine(runDirectory, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, PrometheusConfig.Render(options, tokenFile), cancellationToken);
        return configFile;
    }

    /// <summary>The arguments of a Prometheus reading <paramref name="configFile"/>, its data in <c>prometheus-data</c>, serving <paramref name="url"/>.</summary>
    public static IReadOnlyList<string> Arguments(string configFile, string runDirectory, Uri url) =>
    [
        "--config.file", configFile, "--storage.tsdb.path", Path.Combine(runDirectory, "prometheus-data"), "--web.listen-address", url.Authority,
    ];

    /// <summary>Ready once <c>/-/ready</c> answers 200.</summary>
    public static Readiness Ready(Uri url) =>
        Readiness.Http(new Uri(url, "-/ready"), "answers 200", (response, _) => response.StatusCode == HttpStatusCode.OK, ReadyTimeout);
}
