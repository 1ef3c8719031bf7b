namespace LightMesh.Testing;

/// <summary>One member of an <see cref="EtcdCluster"/>: a real etcd on 127.0.0.1 with its own ports and data directory; can be killed and restarted.</summary>
public sealed class EtcdClusterMember : IAsyncDisposable
{
    private readonly string _executable = Executables.Require("etcd", "etcd-server");
    private readonly string _dataDir = EtcdServer.DataDirectory();
    private readonly int _clientPort = Ports.Free();
    private readonly int _peerPort = Ports.Free();
    private readonly int _metricsPort = Ports.Free();
    private ServerProcess? _process;

    internal EtcdClusterMember(string name) => Name = name;

    public string Name { get; }

    public string Endpoint => $"http://127.0.0.1:{_clientPort}";

    internal string PeerUrl => $"http://127.0.0.1:{_peerPort}";

    public bool IsRunning => _process is not null;

    /// <summary>Kills the member (SIGKILL), as a crash would, keeping its data.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts the member (again) on the same ports and data directory; ready once it serves with a leader.</summary>
    internal async Task StartAsync(string initialCluster, string clusterToken)
    {
        var metrics = $"http://127.0.0.1:{_metricsPort}";
        _process = await ServerProcess.StartAsync(
            _executable,
            [
                "--name", Name, "--data-dir", _dataDir,
                "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
                "--listen-peer-urls", PeerUrl, "--initial-advertise-peer-urls", PeerUrl,
                "--listen-metrics-urls", metrics,
                "--initial-cluster", initialCluster, "--initial-cluster-token", clusterToken, "--initial-cluster-state", "new",
                "--log-level", "warn",
            ],
            new Uri($"{metrics}/health"),
            (_, body) => body.Contains("\"health\":\"true\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
