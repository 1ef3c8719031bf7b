using System.Runtime.InteropServices;

namespace LightMesh.Cli.Local;

/// <summary>The demo's own etcd: one member on 127.0.0.1, ports picked at run time, its data under the run directory.</summary>
public sealed class LocalEtcd : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private LocalEtcd(Uri url, Uri peerUrl, LocalProcess process)
    {
        Url = url;
        PeerUrl = peerUrl;
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
    public static async Task<LocalEtcd> StartAsync(string runDirectory, CancellationToken cancellationToken)
    {
        var clientPort = LoopbackPort.Free();
        var peerPort = LoopbackPort.Free();
        while (peerPort == clientPort)
        {
            peerPort = LoopbackPort.Free();
        }

        var url = new Uri($"http://127.0.0.1:{clientPort}/");
        var peer = new Uri($"http://127.0.0.1:{peerPort}/");
        var options = new LocalProcessOptions
        {
            Name = "etcd",
            Executable = ExecutableSearch.Require(Prerequisites.Etcd),
            Arguments = Arguments("lightmesh-demo", Path.Combine(runDirectory, "etcd-data"), url, peer),
            Environment = EnvironmentVariables(),
            LogFile = Path.Combine(runDirectory, "etcd.log"),
        };
        var process = await LocalProcess.StartAsync(options, Healthy(url), cancellationToken);
        return new LocalEtcd(url, peer, process);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>The arguments of a one-member etcd named <paramref name="member"/> on <paramref name="client"/> and <paramref name="peer"/>, logging to standard error.</summary>
    public static IReadOnlyList<string> Arguments(string member, string dataDirectory, Uri client, Uri peer)
    {
        var clientUrl = client.GetLeftPart(UriPartial.Authority);
        var peerUrl = peer.GetLeftPart(UriPartial.Authority);
        return
        [
            "--name", member, "--data-dir", dataDirectory,
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", $"{member}={peerUrl}", "--initial-cluster-state", "new",
            "--logger", "zap", "--log-outputs", "stderr",
        ];
    }

    /// <summary>Ready once <c>/health</c> at <paramref name="client"/> says it is healthy.</summary>
    public static Readiness Healthy(Uri client) =>
        Readiness.Http(new Uri(client, "health"), "answers \"health\":\"true\"", (_, body) => body.Contains("\"health\":\"true\"", StringComparison.Ordinal), ReadyTimeout);

    /// <summary>etcd 3.4 (Debian 12's) refuses to start on arm64 unless told the platform is known to be unsupported.</summary>
    public static Dictionary<string, string> EnvironmentVariables() =>
        RuntimeInformation.OSArchitecture == Architecture.Arm64 ? new() { ["ETCD_UNSUPPORTED_ARCH"] = "arm64" } : [];
}
