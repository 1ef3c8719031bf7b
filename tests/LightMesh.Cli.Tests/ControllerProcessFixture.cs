using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// One real controller (<c>lightmesh server</c>, the built CLI as a process) per test class, on the collection's etcd
/// under its own prefix, on ports picked at run time, with timings short enough for tests.
/// </summary>
public sealed class ControllerProcessFixture(EtcdFixture etcd) : IAsyncLifetime
{
    private ServerProcess? _server;

    public string Prefix { get; } = etcd.NewPrefix();

    /// <summary>The HTTP API, for <c>--server</c>.</summary>
    public string Url { get; } = $"http://127.0.0.1:{Ports.Free()}";

    /// <summary>What the controller logged so far, for failure messages.</summary>
    public string Output => _server?.Output ?? "";

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(
        "dotnet",
        [
            Path.Combine(AppContext.BaseDirectory, "lightmesh.dll"), "server", "--listen", Url, "--xds-listen", $"127.0.0.1:{Ports.Free()}",
            "--etcd", etcd.Endpoint, "--prefix", Prefix, "--name", $"test-{Guid.NewGuid():N}",
            "--lease-ttl", "3s", "--poll-interval", "200ms", "--drain-delay", "0s", "--convergence-timeout", "5s", "--deploy-timeout", "10s",
        ],
        new Uri($"{Url}/healthz"),
        (response, _) => response.IsSuccessStatusCode,
        TimeSpan.FromSeconds(60));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
