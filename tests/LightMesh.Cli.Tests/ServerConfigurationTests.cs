using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LightMesh.Processes;
using LightMesh.Core.Security;
using LightMesh.Host.Security;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>lightmesh server</c> as a process, configured through its <c>--config</c> file, the environment and flags: each
/// setting is taken from the flag, else the environment, else the file, and a wrong value stops the start (exit 2)
/// naming the flag or key it came from.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ServerConfigurationTests(EtcdFixture etcd) : IDisposable
{
    private static readonly string Token = TokenHash.NewToken();
    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-config-").FullName;

    [Fact]
    public async Task Server_EverySettingInTheFile_IsUsed()
    {
        var prefix = etcd.NewPrefix();
        var listen = Url();
        var config = await ConfigAsync(new JsonObject
        {
            ["Server"] = new JsonObject { ["Listen"] = listen, ["XdsListen"] = $"127.0.0.1:{LoopbackPort.Free()}", ["Name"] = "from-the-file" },
            ["Etcd"] = new JsonObject { ["Endpoints"] = etcd.Endpoint, ["Prefix"] = prefix },
            ["Engine"] = new JsonObject { ["LeaseTtl"] = "2s", ["PollInterval"] = "100ms", ["MaxConcurrentReleases"] = 8 },
        });

        await using var server = await StartAsync(["--config", config], new Dictionary<string, string>(), listen);

        // The name is the file's, and it leads on the file's etcd, under the file's prefix.
        var controller = await Poll.UntilAsync(() => ControllerAsync(listen), c => c?["leader"]?.GetValue<bool>() == true, TimeSpan.FromSeconds(30), "the controller to lead");
        Assert.Equal("from-the-file", controller!["name"]!.GetValue<string>());
        using var connection = etcd.Connect(prefix);
        Assert.True((await connection.RangePrefixAsync(connection.Keys.Prefix + "leaders/", 0, default)).Count > 0, server.Output);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Server_ServesAndPrintsTheConsole_UnlessTurnedOff(bool console)
    {
        var listen = Url();
        var config = await ConfigAsync(new JsonObject { ["Etcd"] = new JsonObject { ["Endpoints"] = etcd.Endpoint, ["Prefix"] = etcd.NewPrefix() } });

        await using var server = await StartAsync(
            ["--config", config, "--listen", listen, "--xds-listen", $"127.0.0.1:{LoopbackPort.Free()}", "--console", console ? "true" : "false"], new Dictionary<string, string>(), listen);

        var said = await Poll.UntilAsync(() => Task.FromResult(server.Output), o => o.Contains("API on", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the server's first line");
        Assert.Equal(console, said.Contains($"console on {listen}/console/", StringComparison.Ordinal));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        Assert.Equal(console ? System.Net.HttpStatusCode.OK : System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{listen}/console/sign-in"))).StatusCode);
        Assert.Equal(console ? System.Net.HttpStatusCode.Created : System.Net.HttpStatusCode.NotFound, (await http.PostAsync(new Uri($"{listen}/api/v1/console/links"), null)).StatusCode);
        Assert.NotNull(await ControllerAsync(listen));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Server_EnvironmentOverridesTheFile_AndAFlagOverridesBoth(bool flags)
    {
        var (fileListen, environmentListen, flagListen) = (Url(), Url(), Url());
        var config = await ConfigAsync(new JsonObject
        {
            ["Server"] = new JsonObject { ["Listen"] = fileListen, ["Name"] = "file" },
            ["Etcd"] = new JsonObject { ["Endpoints"] = etcd.Endpoint, ["Prefix"] = etcd.NewPrefix() },
        });
        var environment = new Dictionary<string, string> { ["LightMesh__Server__Listen"] = environmentListen, ["LightMesh__Server__Name"] = "environment" };
        string[] args = flags ? ["--config", config, "--listen", flagListen, "--name", "flag"] : ["--config", config];
        var expected = flags ? flagListen : environmentListen;

        await using var server = await StartAsync([.. args, "--xds-listen", $"127.0.0.1:{LoopbackPort.Free()}"], environment, expected);

        Assert.Equal(flags ? "flag" : "environment", (await ControllerAsync(expected))?["name"]?.GetValue<string>());
        foreach (var other in new[] { fileListen, environmentListen }.Where(u => u != expected))
        {
            Assert.Null(await ControllerAsync(other));
        }
    }

    [Fact]
    public async Task Server_WrongValuesInTheFile_ExitTwoNamingEachKey()
    {
        var config = await ConfigAsync(new JsonObject
        {
            ["Server"] = new JsonObject { ["Listen"] = "x", ["XdsListn"] = "127.0.0.1:1" },
            ["Engine"] = new JsonObject { ["LeaseTtl"] = "ten seconds", ["MaxConcurrentReleases"] = 0 },
        });

        var result = await RunAsync(["--config", config], new Dictionary<string, string>());

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"LightMesh:Server:Listen: \"x\" must be http://IP:PORT (in {config})", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"LightMesh:Engine:LeaseTtl: \"ten seconds\" must be a duration such as 500ms, 10s or 5m (in {config})", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("LightMesh:Engine:MaxConcurrentReleases: \"0\" must be a whole number 1..10000", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("LightMesh:Server:XdsListn: not a setting; LightMesh:Server has Listen, XdsListen, SidecarXds, Prometheus, Name", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_WrongValuesInTheEnvironmentAndFlags_ExitTwoNamingEachSource()
    {
        var environment = new Dictionary<string, string> { ["LightMesh__Etcd__Prefix"] = "lightmesh", ["LIGHTMESH_ETCD"] = "etcd:2379" };

        var result = await RunAsync(["--drain-delay", "5", "--listen", "http://127.0.0.1:9999", "--xds-listen", "127.0.0.1:9999"], environment);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("LightMesh:Etcd:Prefix: \"lightmesh\" must start and end with '/' (environment variable LightMesh__Etcd__Prefix)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("LIGHTMESH_ETCD: \"etcd:2379\" must be http:// or https:// URLs, comma-separated", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--drain-delay: \"5\" must be a duration", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_SamePortForBoth_ExitsTwoNamingBothSources()
    {
        var config = await ConfigAsync(new JsonObject { ["Server"] = new JsonObject { ["XdsListen"] = "127.0.0.1:9999" } });

        var result = await RunAsync(["--config", config, "--listen", "http://127.0.0.1:9999"], new Dictionary<string, string>());

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error: LightMesh:Server:XdsListen: must differ from --listen (127.0.0.1:9999)", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Url() => $"http://127.0.0.1:{LoopbackPort.Free()}";

    [Fact]
    public async Task Server_XdsPortInUse_ExitsTwoWithOneLineNamingTheFlag_BeforeWritingAnything()
    {
        var prefix = etcd.NewPrefix();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var result = await RunAsync(["--etcd", etcd.Endpoint, "--prefix", prefix, "--listen", Url(), "--xds-listen", $"127.0.0.1:{port}"], new Dictionary<string, string>());

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"error: --xds-listen 127.0.0.1:{port}: the port is in use (another lightmesh server or xds serve?); stop that process or give --xds-listen another port",
            result.Stderr.Trim());
        using var connection = etcd.Connect(prefix);
        Assert.Equal(0, (await connection.RangePrefixAsync(connection.Keys.Prefix, 0, default)).Count);
    }

    /// <summary>A config file with <paramref name="settings"/> and an operator's token under <c>LightMesh</c>.</summary>
    private async Task<string> ConfigAsync(JsonObject settings)
    {
        settings["Auth"] = new JsonObject
        {
            ["Tokens"] = new JsonArray(new JsonObject { ["Name"] = "test", ["Role"] = Roles.Operator, ["Sha256"] = TokenHash.HexOf(Token) }),
        };
        var file = Path.Combine(_directory, $"settings-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, new JsonObject { ["LightMesh"] = settings }.ToJsonString());
        return file;
    }

    /// <summary><c>lightmesh server ARGS</c> in an empty working directory (no appsettings.json) with <paramref name="environment"/> added.</summary>
    private ProcessStartInfo Server(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var info = CliProcess.StartInfo(["server", .. args]);
        info.WorkingDirectory = _directory;
        info.Environment["HOME"] = _directory;
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private Task<LocalProcess> StartAsync(string[] args, IReadOnlyDictionary<string, string> environment, string listen) =>
        CliProcess.StartServerAsync(args, new Uri($"{listen}/healthz"), new Dictionary<string, string>(environment) { ["HOME"] = _directory }, _directory);

    private Task<CliProcess.Result> RunAsync(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var info = Server(args, environment);
        info.RedirectStandardInput = true;
        return CliProcess.RunAsync(info);
    }

    /// <summary><c>GET /api/v1/controller</c>; null when nothing answers there.</summary>
    private static async Task<JsonNode?> ControllerAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        try
        {
            return JsonNode.Parse(await http.GetStringAsync(new Uri($"{url}/api/v1/controller")));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
