using LightMesh.Processes;

namespace LightMesh.Testing;

/// <summary>One member of an <see cref="EtcdCluster"/>: a real etcd on 127.0.0.1 with its own ports and data directory; can be killed and restarted.</summary>
public sealed class EtcdClusterMember : IAsyncDisposable
{
    private readonly string _dataDir = EtcdServer.DataDirectory();
    private readonly int _clientPort = LoopbackPort.Free();
    private readonly int _peerPort = LoopbackPort.Free();
    private readonly int _metricsPort = LoopbackPort.Free();
    private LocalEtcd? _process;

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
        _process = await LocalEtcd.StartAsync(
            new LocalEtcdOptions
            {
                Member = Name,
                DataDirectory = _dataDir,
                ClientUrl = new Uri(Endpoint),
                PeerUrl = new Uri(PeerUrl),
                MetricsUrl = new Uri($"http://127.0.0.1:{_metricsPort}"),
                InitialCluster = initialCluster,
                ClusterToken = clusterToken,
                LogLevel = "warn",
                StopTimeout = TimeSpan.Zero,
            },
            CancellationToken.None);
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
