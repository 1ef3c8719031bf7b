using LightMesh.Etcd;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.Testing;

/// <summary>One real etcd per test collection; each test takes its own key prefix so tests never see each other's keys.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    private EtcdServer? _server;
    private int _prefixes;

    public EtcdServer Server => _server ?? throw new InvalidOperationException("etcd is not started");

    public string Endpoint => Server.Endpoint;

    /// <summary>A key prefix no other test uses.</summary>
    public string NewPrefix() => $"/test-{Interlocked.Increment(ref _prefixes)}-{Guid.NewGuid():N}/";

    public EtcdConnection Connect(string prefix) =>
        new(new EtcdOptions { Endpoints = Endpoint, Prefix = prefix, RequestTimeout = TimeSpan.FromSeconds(5) }, TimeProvider.System);

    public static NullLogger<T> Logger<T>() => NullLogger<T>.Instance;

    public async Task InitializeAsync() => _server = await EtcdServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
