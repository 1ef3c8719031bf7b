using LightMesh.Processes;

namespace LightMesh.Testing;

/// <summary>A real etcd on 127.0.0.1 with ports picked at run time and its own data directory; can be restarted.</summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly string _dataDir = DataDirectory();
    private readonly int _clientPort = LoopbackPort.Free();
    private readonly int _peerPort = LoopbackPort.Free();
    private readonly int _metricsPort = LoopbackPort.Free();
    private readonly LocalEtcdTls? _tls;
    private LocalEtcd? _process;

    private EtcdServer(LocalEtcdTls? tls) => _tls = tls;

    public string Endpoint => $"{(_tls is null ? "http" : "https")}://127.0.0.1:{_clientPort}";

    /// <param name="tls">Serve https:// and ask every client for a certificate from the CA (<c>--client-cert-auth</c>); plain http:// when null.</param>
    public static async Task<EtcdServer> StartAsync(LocalEtcdTls? tls = null)
    {
        var server = new EtcdServer(tls);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Stops etcd the hard way, as a crash would, keeping its data.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts etcd (again) on the same ports and data directory.</summary>
    public async Task RestartAsync()
    {
        _process = await LocalEtcd.StartAsync(
            new LocalEtcdOptions
            {
                Member = "test",
                DataDirectory = _dataDir,
                ClientUrl = new Uri(Endpoint),
                PeerUrl = new Uri($"http://127.0.0.1:{_peerPort}"),
                MetricsUrl = new Uri($"http://127.0.0.1:{_metricsPort}"),
                Tls = _tls,
                LogLevel = "warn",
                StopTimeout = TimeSpan.Zero,
                ReadyTimeout = TimeSpan.FromSeconds(20),
            },
            CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>
    /// In memory (/dev/shm) when there is room, so a disk busy with builds and images never stalls etcd's fsync past a
    /// test's deadline; etcd preallocates 64 MiB of WAL, so a small /dev/shm (a container's default) is not used.
    /// </summary>
    internal static string DataDirectory()
    {
        const long Needed = 1L << 30;
        try
        {
            if (Directory.Exists("/dev/shm") && new DriveInfo("/dev/shm").AvailableFreeSpace > Needed)
            {
                return Directory.CreateDirectory(Path.Combine("/dev/shm", $"lightmesh-etcd-{Guid.NewGuid():N}")).FullName;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Fall back to the temporary directory below.
        }

        return Directory.CreateTempSubdirectory("lightmesh-etcd-").FullName;
    }
}
