namespace LightMesh.Testing;

/// <summary>The TLS files of an etcd that serves https://: its certificate and key, and the CA its clients' certificates must chain to.</summary>
public sealed record EtcdServerTls(string CertFile, string KeyFile, string ClientCaFile);

/// <summary>A real etcd on 127.0.0.1 with ports picked at run time and its own data directory; can be restarted.</summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly string _executable = Executables.Require("etcd", "etcd-server");
    private readonly string _dataDir = DataDirectory();
    private readonly int _clientPort = Ports.Free();
    private readonly int _peerPort = Ports.Free();
    private readonly int _metricsPort = Ports.Free();
    private readonly EtcdServerTls? _tls;
    private ServerProcess? _process;

    private EtcdServer(EtcdServerTls? tls) => _tls = tls;

    public string Endpoint => $"{(_tls is null ? "http" : "https")}://127.0.0.1:{_clientPort}";

    /// <param name="tls">Serve https:// and ask every client for a certificate from the CA (<c>--client-cert-auth</c>); plain http:// when null.</param>
    public static async Task<EtcdServer> StartAsync(EtcdServerTls? tls = null)
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
        var peer = $"http://127.0.0.1:{_peerPort}";
        var metrics = $"http://127.0.0.1:{_metricsPort}";
        string[] tls = _tls is null ? [] : ["--cert-file", _tls.CertFile, "--key-file", _tls.KeyFile, "--trusted-ca-file", _tls.ClientCaFile, "--client-cert-auth"];
        _process = await ServerProcess.StartAsync(
            _executable,
            [
                "--name", "test", "--data-dir", _dataDir,
                "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--listen-metrics-urls", metrics,
                "--initial-cluster", $"test={peer}", "--log-level", "warn", .. tls,
            ],
            new Uri($"{metrics}/health"),
            (_, body) => body.Contains("\"health\":\"true\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20));
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
