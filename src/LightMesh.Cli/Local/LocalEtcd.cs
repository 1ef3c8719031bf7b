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
        var peer = $"http://127.0.0.1:{peerPort}";
        var client = url.GetLeftPart(UriPartial.Authority);
        const string Member = "lightmesh-demo";
        var options = new LocalProcessOptions
        {
            Name = "etcd",
            Executable = ExecutableSearch.Require(Prerequisites.Etcd),
            Arguments =
            [
                "--name", Member, "--data-dir", Path.Combine(runDirectory, "etcd-data"),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", $"{Member}={peer}", "--initial-cluster-state", "new",
                "--logger", "zap", "--log-outputs", "stderr",
            ],
            Environment = UnsupportedArch(),
            LogFile = Path.Combine(runDirectory, "etcd.log"),
        };
        var process = await LocalProcess.StartAsync(
            options,
            Readiness.Http(new Uri(url, "health"), "answers \"health\":\"true\"", (_, body) => body.Contains("\"health\":\"true\"", StringComparison.Ordinal), ReadyTimeout),
            cancellationToken);
        return new LocalEtcd(url, new Uri(peer), process);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>etcd 3.4 (Debian 12's) refuses to start on arm64 unless told the platform is known to be unsupported.</summary>
    private static Dictionary<string, string> UnsupportedArch() =>
        RuntimeInformation.OSArchitecture == Architecture.Arm64 ? new() { ["ETCD_UNSUPPORTED_ARCH"] = "arm64" } : [];
}
