using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Processes;
using LightMesh.Core.Security;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using LightMesh.Host.Security;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// <c>lightmesh server</c> processes, started the way an operator starts them (tokens in a <c>--config</c> file), that
/// tests can kill as a crash would; and the HTTP calls the tests make to them, with an operator's token.
/// </summary>
public sealed class ServerProcesses(EtcdFixture etcd, string prefix, Uri prometheus) : IAsyncDisposable
{
    /// <summary>An operator's token, which every controller started here accepts.</summary>
    public static readonly string Token = TokenHash.NewToken();

    private readonly List<LocalController> _servers = [];
    private readonly Lazy<string> _config = new(() =>
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("lightmesh-test-").FullName, "appsettings.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new
        {
            LightMesh = new { Auth = new { Tokens = new[] { new { Name = "test", Role = Roles.Operator, Sha256 = TokenHash.HexOf(Token) } } } },
        }));
        return file;
    });

    /// <summary>Starts a controller named <paramref name="name"/>; it answers /healthz whether or not it leads.</summary>
    public async Task<(LocalController Process, Uri Api, int XdsPort)> StartAsync(string name, params string[] extra)
    {
        var server = await LocalController.StartAsync(
            new LocalControllerOptions
            {
                Etcd = etcd.Endpoint,
                Prefix = prefix,
                Name = name,
                Flags =
                [
                    "--allow-anonymous-proxies", "true", "--prometheus", prometheus.ToString(),
                    "--lease-ttl", "2s", "--poll-interval", "100ms", "--drain-delay", "0s", "--config", _config.Value, .. extra,
                ],
                ReadyTimeout = TimeSpan.FromSeconds(30),
            },
            CancellationToken.None);
        _servers.Add(server);
        return (server, server.Api, server.XdsPort);
    }

    /// <summary>A client that shows <see cref="Token"/>.</summary>
    public static HttpClient Client(TimeSpan timeout) =>
        new() { Timeout = timeout, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };

    public static async Task<ReleaseView> StartReleaseAsync(Uri api, string service, string version, string workflow)
    {
        using var http = Client(TimeSpan.FromSeconds(30));
        using var response = await http.PostAsJsonAsync(new Uri(api, "api/v1/releases"), new { service, version, workflow, actor = "test" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ReleaseView>(ReleaseJson.Options))!;
    }

    public static async Task<ReleaseView?> GetAsync(Uri api, string id)
    {
        using var http = Client(TimeSpan.FromSeconds(5));
        try
        {
            return await http.GetFromJsonAsync<ReleaseView>(new Uri(api, $"api/v1/releases/{id}"), ReleaseJson.Options);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public static async Task<ControllerView?> ControllerAsync(Uri api)
    {
        using var http = Client(TimeSpan.FromSeconds(5));
        try
        {
            return await http.GetFromJsonAsync<ControllerView>(new Uri(api, "api/v1/controller"), ReleaseJson.Options);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public static async Task<ReleaseView> WaitAsync(Uri api, string id, Func<ReleaseView, bool> done, string what, int seconds = 45) =>
        (await Poll.UntilAsync(() => GetAsync(api, id), r => r is not null && done(r), TimeSpan.FromSeconds(seconds), $"release {id}: {what}"))!;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        if (_config.IsValueCreated)
        {
            Directory.Delete(Path.GetDirectoryName(_config.Value)!, recursive: true);
        }
    }
}
