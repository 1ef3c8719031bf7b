using System.Diagnostics;
using System.Text;

namespace LightMesh.Testing;

/// <summary>A real server started as a child process: its output is kept for error messages, and it is ready when its URL says so.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private ServerProcess(Process process)
    {
        _process = process;
    }

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

    /// <summary>Starts <paramref name="executable"/> and polls <paramref name="ready"/> until <paramref name="isReady"/> accepts the answer.</summary>
    public static Task<ServerProcess> StartAsync(string executable, IEnumerable<string> args, Uri ready, Func<HttpResponseMessage, string, bool> isReady, TimeSpan timeout) =>
        StartAsync(new ProcessStartInfo(executable, args), ready, isReady, timeout);

    /// <summary>Starts the process <paramref name="info"/> describes (its environment, its working directory), its output redirected here.</summary>
    public static async Task<ServerProcess> StartAsync(ProcessStartInfo info, Uri ready, Func<HttpResponseMessage, string, bool> isReady, TimeSpan timeout)
    {
        var executable = info.FileName;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var server = new ServerProcess(Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start"));
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (server._process.HasExited)
            {
                throw new InvalidOperationException($"{Path.GetFileName(executable)} exited with {server._process.ExitCode}:\n{server.Output}");
            }

            try
            {
                using var response = await http.GetAsync(ready);
                if (isReady(response, await response.Content.ReadAsStringAsync()))
                {
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(50);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"{Path.GetFileName(executable)} did not become ready at {ready}:\n{server.Output}");
    }

    /// <summary>Stops the server where it stands (SIGSTOP), as a machine that hangs would; <see cref="ThawAsync"/> lets it go on.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>Lets a frozen server go on (SIGCONT).</summary>
    public Task ThawAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Kills the server, as a crash would.</summary>
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
