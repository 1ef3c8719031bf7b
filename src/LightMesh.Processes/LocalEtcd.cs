using System.Runtime.InteropServices;

namespace LightMesh.Processes;

/// <summary>A real etcd member on 127.0.0.1, ports picked at run time: the demo's, the dev environment's and the tests'.</summary>
public sealed class LocalEtcd : IAsyncDisposable
{
    private LocalEtcd(LocalEtcdOptions options, LocalProcess process)
    {
        Url = new Uri(options.ClientUrl.GetLeftPart(UriPartial.Authority) + "/");
        PeerUrl = options.PeerUrl;
        Process = process;
    }

    /// <summary>The client URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; }

    /// <summary>The client URL as <c>--etcd</c> and <c>EtcdOptions.Endpoints</c> take it: no trailing slash.</summary>
    public string Endpoint => Url.GetLeftPart(UriPartial.Authority);

    public Uri PeerUrl { get; }

    public LocalProcess Process { get; }

    /// <summary>
    /// Starts etcd with its data in <c>etcd-data</c> and its log in <c>etcd.log</c> under <paramref name="runDirectory"/>,
    /// and waits until its <c>/health</c> says it is healthy.
    /// </summary>
    public static Task<LocalEtcd> StartAsync(string runDirectory, CancellationToken cancellationToken)
    {
        var clientPort = LoopbackPort.Free();
        var peerPort = LoopbackPort.Free();
        return StartAsync(
            new LocalEtcdOptions
            {
                DataDirectory = Path.Combine(runDirectory, "etcd-data"),
                ClientUrl = new Uri($"http://127.0.0.1:{clientPort}/"),
                PeerUrl = new Uri($"http://127.0.0.1:{peerPort}/"),
                LogFile = Path.Combine(runDirectory, "etcd.log"),
            },
            cancellationToken);
    }

    /// <summary>Starts the member <paramref name="options"/> describe and waits until its <c>/health</c> says it is healthy.</summary>
    public static async Task<LocalEtcd> StartAsync(LocalEtcdOptions options, CancellationToken cancellationToken)
    {
        var process = await LocalProcess.StartAsync(
            new LocalProcessOptions
            {
                Name = $"etcd {options.Member}",
                Executable = ExecutableSearch.Require(Prerequisites.Etcd),
                Arguments = Arguments(options),
                Environment = EnvironmentVariables(),
                LogFile = options.LogFile,
                KeptLines = 200,
                StopTimeout = options.StopTimeout,
            },
            Healthy(options.MetricsUrl ?? options.ClientUrl, options.ReadyTimeout),
            cancellationToken);
        return new LocalEtcd(options, process);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>The arguments of the member <paramref name="options"/> describe, logging to standard error.</summary>
    public static IReadOnlyList<string> Arguments(LocalEtcdOptions options)
    {
        var clientUrl = options.ClientUrl.GetLeftPart(UriPartial.Authority);
        var peerUrl = options.PeerUrl.GetLeftPart(UriPartial.Authority);
        List<string> arguments =
        [
            "--name", options.Member, "--data-dir", options.DataDirectory,
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", options.InitialCluster ?? $"{options.Member}={peerUrl}", "--initial-cluster-state", "new",
            "--logger", "zap", "--log-outputs", "stderr",
        ];
        if (options.MetricsUrl is { } metrics)
        {
            arguments.AddRange(["--listen-metrics-urls", metrics.GetLeftPart(UriPartial.Authority)]);
        }

        if (options.ClusterToken is { } token)
        {
            arguments.AddRange(["--initial-cluster-token", token]);
        }

        if (options.LogLevel is { } level)
        {
            arguments.AddRange(["--log-level", level]);
        }

        if (options.Tls is { } tls)
        {
            arguments.AddRange(["--cert-file", tls.CertFile, "--key-file", tls.KeyFile, "--trusted-ca-file", tls.ClientCaFile, "--client-cert-auth"]);
        }

        return arguments;
    }

    /// <summary>Ready once <c>/health</c> at <paramref name="url"/> says it is healthy.</summary>
    public static Readiness Healthy(Uri url, TimeSpan timeout) =>
        Readiness.Http(new Uri(new Uri(url.GetLeftPart(UriPartial.Authority) + "/"), "health"), "answers \"health\":\"true\"", (_, body) => body.Contains("\"health\":\"true\"", StringComparison.Ordinal), timeout);

    /// <summary>etcd 3.4 (Debian 12's) refuses to start on arm64 unless told the platform is known to be unsupported.</summary>
    public static Dictionary<string, string> EnvironmentVariables() =>
        RuntimeInformation.OSArchitecture == Architecture.Arm64 ? new() { ["ETCD_UNSUPPORTED_ARCH"] = "arm64" } : [];
}
