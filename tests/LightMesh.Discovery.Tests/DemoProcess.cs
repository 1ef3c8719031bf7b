using System.Globalization;
using Grpc.Net.Client;
using LightMesh.Processes;
using LightMesh.Core.Mesh;
using LightMesh.Demo.Service.Protos;
using LightMesh.Testing;

namespace LightMesh.Discovery.Tests;

/// <summary>
/// The demo service as a real process (<c>dotnet LightMesh.Demo.Service.dll</c>), configured through the environment
/// the deployer would give it, started through the <see cref="LocalProcess"/> harness; it can be stopped gracefully
/// (SIGTERM) as well as killed.
/// </summary>
internal sealed class DemoProcess : IAsyncDisposable
{
    private static readonly string[] Inherited = ["PORT", "ERROR_RATE", "EXTRA_LATENCY_MS", "BIND_ADDRESS", "ASPNETCORE_URLS"];

    private readonly LocalProcess _process;

    private DemoProcess(LocalProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The port it was told to listen on (0: one the server picks).</summary>
    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The id it registers under: its address and port.</summary>
    public string Id => Instance.DefaultId("127.0.0.1", Port);

    /// <summary>What it wrote (its last thousand lines).</summary>
    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode ?? -1;

    /// <summary>Starts the demo for <paramref name="mesh"/> and waits until it serves (unless it was given port 0).</summary>
    public static async Task<DemoProcess> StartAsync(Mesh mesh, string version = "v1", string ttl = "10s", int? port = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var demo = Launch(new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["PORT"] = (port ?? LoopbackPort.Free()).ToString(CultureInfo.InvariantCulture),
            ["BIND_ADDRESS"] = "127.0.0.1",
            ["LIGHTMESH_ADDRESS"] = "127.0.0.1",
            ["LIGHTMESH_SERVICE"] = Mesh.Service,
            ["LIGHTMESH_VERSION"] = version,
            ["LIGHTMESH_NODE"] = "node-1",
            ["LIGHTMESH_ETCD"] = mesh.Etcd.Endpoint,
            ["LIGHTMESH_PREFIX"] = mesh.Prefix,
            ["LIGHTMESH_TTL"] = ttl,
        });
        if (demo.Port != 0)
        {
            await demo.WaitUntilServingAsync();
        }

        return demo;
    }

    /// <summary>Starts the demo with exactly <paramref name="environment"/> (nothing inherited that it reads) and does not wait.</summary>
    public static DemoProcess Launch(IReadOnlyDictionary<string, string> environment)
    {
        var port = environment.TryGetValue("PORT", out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : 8080;
        var process = LocalProcess.Start(new LocalProcessOptions
        {
            Name = "the demo service",
            Executable = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "LightMesh.Demo.Service.dll")],
            DropInherited = name => name.StartsWith("LIGHTMESH_", StringComparison.Ordinal) || Inherited.Contains(name),
            Environment = environment,
            KeptLines = 1000,
            StopTimeout = TimeSpan.Zero,
        });
        return new DemoProcess(process, port);
    }

    public async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        await Poll.UntilAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"the demo service exited with {_process.ExitCode}:\n{Output}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri($"{Url}/healthz"));
                    return response.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            serving => serving,
            TimeSpan.FromSeconds(30),
            $"the demo service to serve on {Url}");
    }

    /// <summary>A gRPC client straight to this instance (HTTP/2 without TLS on its one port).</summary>
    public (GrpcChannel Channel, Echo.EchoClient Client) Connect()
    {
        var channel = GrpcChannel.ForAddress(Url);
        return (channel, new Echo.EchoClient(channel));
    }

    /// <summary>Asks it to stop as <c>docker stop</c> or systemd would (SIGTERM) and waits for it to exit; returns the exit code.</summary>
    public Task<int> TerminateAsync() => _process.TerminateAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

    /// <summary>Kills it (SIGKILL), as a crash or the OOM killer would: nothing runs on its way out.</summary>
    public Task KillAsync() => _process.KillAsync(CancellationToken.None);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    public override string ToString() => $"demo on {Url}:\n{Output}";
}
