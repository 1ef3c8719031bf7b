using System.Text.Json;
using LightMesh.Processes;
using LightMesh.Core.Security;
using LightMesh.Host.Security;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// One real controller (<c>lightmesh server</c>, the built CLI as a process) per test class, on the collection's etcd
/// under its own prefix, on ports picked at run time, with timings short enough for tests, and three tokens in its
/// <c>--config</c> file: an admin's, an operator's and a viewer's; and a secret for each CI webhook.
/// </summary>
public sealed class ControllerProcessFixture(EtcdFixture etcd) : IAsyncLifetime
{
    /// <summary>What GitHub and generic deliveries are signed with, and GitLab's token.</summary>
    public const string HookSecret = "hook-secret-for-tests";

    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-test-").FullName;
    private LocalController? _server;

    /// <summary>An operator's token, for <c>--token</c>.</summary>
    public string Token { get; } = TokenHash.NewToken();

    /// <summary>An admin's token: it may also change documents.</summary>
    public string AdminToken { get; } = TokenHash.NewToken();

    /// <summary>A viewer's token: it may list releases, not start them.</summary>
    public string ViewerToken { get; } = TokenHash.NewToken();

    public string Prefix { get; } = etcd.NewPrefix();

    /// <summary>The HTTP API, for <c>--server</c>.</summary>
    public string Url { get; } = $"http://127.0.0.1:{LoopbackPort.Free()}";

    /// <summary>What the controller logged so far, for failure messages.</summary>
    public string Output => _server?.Output ?? "";

    public async Task InitializeAsync()
    {
        var config = Path.Combine(_directory, "appsettings.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            LightMesh = new
            {
                Auth = new
                {
                    Tokens = new[]
                    {
                        new { Name = "root", Role = Roles.Admin, Sha256 = TokenHash.HexOf(AdminToken) },
                        new { Name = "test", Role = Roles.Operator, Sha256 = TokenHash.HexOf(Token) },
                        new { Name = "watcher", Role = Roles.Viewer, Sha256 = TokenHash.HexOf(ViewerToken) },
                    },
                },
                Hooks = new { GitHub = new { Secret = HookSecret }, GitLab = new { Token = HookSecret }, Generic = new { Secret = HookSecret } },
            },
        }));
        _server = await LocalController.StartAsync(
            new LocalControllerOptions
            {
                Etcd = etcd.Endpoint,
                Prefix = Prefix,
                Name = $"test-{Guid.NewGuid():N}",
                Api = new Uri(Url),
                Flags =
                [
                    "--config", config, "--lease-ttl", "3s", "--poll-interval", "200ms", "--drain-delay", "0s",
                    "--convergence-timeout", "5s", "--deploy-timeout", "10s",
                ],
                KeptLines = 2000,
            },
            CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
