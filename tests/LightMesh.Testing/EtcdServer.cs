using System.Diagnostics;
using System.Text;

namespace LightMesh.Testing;

/// <summary>A real etcd on 127.0.0.1 with ports picked at run time and its own data directory; can be restarted.</summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly string _executable = Executables.Require("etcd", "etcd-server");
    private readonly string _dataDir = Directory.CreateTempSubdirectory("lightmesh-etcd-").FullName;
    private readonly int _clientPort = Ports.Free();
    private readonly int _peerPort = Ports.Free();
    private readonly StringBuilder _output = new();
    private Process? _process;

    public string Endpoint => $"http://127.0.0.1:{_clientPort}";

    public static async Task<EtcdServer> StartAsync()
    {
        var server = new EtcdServer();
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Stops etcd the hard way, as a crash would, keeping its data.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts etcd again on the same ports and data directory.</summary>
    public Task RestartAsync() => StartProcessAsync();

    private async Task StartProcessAsync()
    {
        var peer = $"http://127.0.0.1:{_peerPort}";
        var info = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--name", "test", "--data-dir", _dataDir,
                     "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
                     "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                     "--initial-cluster", $"test={peer}", "--log-level", "warn",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("etcd did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                var health = await http.GetStringAsync($"{Endpoint}/health");
                if (health.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // not answering yet
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"etcd did not become healthy at {Endpoint}:\n{Output}");
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
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
}
