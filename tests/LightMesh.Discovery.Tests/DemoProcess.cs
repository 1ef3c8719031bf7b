using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Net.Client;
using LightMesh.Core.Mesh;
using LightMesh.Demo.Service.Protos;
using LightMesh.Testing;

namespace LightMesh.Discovery.Tests;

/// <summary>
/// The demo service as a real process (<c>dotnet LightMesh.Demo.Service.dll</c>), configured through the environment
/// the deployer would give it. Unlike <see cref="ServerProcess"/> it can be stopped gracefully (SIGTERM) as well as killed.
/// </summary>
internal sealed class DemoProcess : IAsyncDisposable
{
    private static readonly string[] Inherited = ["PORT", "ERROR_RATE", "EXTRA_LATENCY_MS", "BIND_ADDRESS", "ASPNETCORE_URLS"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private DemoProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The port it was told to listen on (0: one the server picks).</summary>
    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The id it registers under: its address and port.</summary>
    public string Id => Instance.DefaultId("127.0.0.1", Port);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the demo for <paramref name="mesh"/> and waits until it serves (unless it was given port 0).</summary>
    public static async Task<DemoProcess> StartAsync(Mesh mesh, string version = "v1", string ttl = "10s", int? port = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var demo = Launch(new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["PORT"] = (port ?? Ports.Free()).ToString(CultureInfo.InvariantCulture),
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
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LightMesh.Demo.Service.dll"));
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LIGHTMESH_", StringComparison.Ordinal) || Inherited.Contains(k)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var port = environment.TryGetValue("PORT", out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : 8080;
        var demo = new DemoProcess(Process.Start(info) ?? throw new InvalidOperationException("the demo service did not start"), port);
        demo._process.OutputDataReceived += (_, e) => demo.Append(e.Data);
        demo._process.ErrorDataReceived += (_, e) => demo.Append(e.Data);
        demo._process.BeginOutputReadLine();
        demo._process.BeginErrorReadLine();
        return demo;
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
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills it (SIGKILL), as a crash or the OOM killer would: nothing runs on its way out.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public override string ToString() => $"demo on {Url}:\n{Output}";

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
