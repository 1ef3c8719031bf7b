using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LightMesh.Cli.Local;
using LightMesh.Core;
using LightMesh.Core.Security;
using LightMesh.Etcd;
using LightMesh.Host.Security;

namespace LightMesh.Cli.Bench;

/// <summary>
/// A <c>lightmesh server</c> started by a benchmark as its own process, so its memory and CPU can be read from /proc;
/// keeps the tail of its log and counts its warnings, and is killed (with anything it started) on dispose.
/// </summary>
internal sealed class ControllerProcess : IAsyncDisposable
{
    private const int TailLines = 400;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly StreamWriter? _log;
    private readonly Lock _logLock = new();
    private int _warnings;
    private int _errors;

    private ControllerProcess(Process process, Uri api, int xdsPort, string token, StreamWriter? log)
    {
        _process = process;
        Api = api;
        XdsPort = xdsPort;
        Token = token;
        _log = log;
    }

    public Uri Api { get; }

    /// <summary>The port of its xDS (ADS) endpoint on 127.0.0.1.</summary>
    public int XdsPort { get; }

    /// <summary>An operator's token for the API, made for this run and configured (as its hash) through the server's environment.</summary>
    public string Token { get; }

    public int Id => _process.Id;

    /// <summary>Log lines at warning level so far.</summary>
    public int Warnings => Volatile.Read(ref _warnings);

    /// <summary>Log lines at error or critical level so far.</summary>
    public int Errors => Volatile.Read(ref _errors);

    /// <summary>The last lines the server wrote, oldest first.</summary>
    public IReadOnlyList<string> Tail => [.. _tail];

    /// <summary>
    /// Starts the controller with the flags in <paramref name="extra"/> and the variables in <paramref name="environment"/>
    /// (configuration keys such as <c>LightMesh__Hooks__Generic__Secret</c>), and waits until it answers and leads the release engine.
    /// </summary>
    public static async Task<ControllerProcess> StartAsync(
        EtcdOptions etcd, IReadOnlyList<string> extra, IReadOnlyDictionary<string, string> environment, string? logFile, CancellationToken cancellationToken)
    {
        var api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var xdsPort = LoopbackPort.Free();
        var info = new ProcessStartInfo(SelfCommand.Host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            SelfCommand.Assembly, "server", "--etcd", etcd.Endpoints, "--prefix", etcd.Prefix, "--name", $"bench-{Environment.ProcessId}",
            "--listen", api.ToString().TrimEnd('/'), "--xds-listen", $"127.0.0.1:{xdsPort}", .. extra,
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var token = TokenHash.NewToken();
        info.Environment["LightMesh__Auth__Tokens__0__Name"] = "bench";
        info.Environment["LightMesh__Auth__Tokens__0__Role"] = Roles.Operator;
        info.Environment["LightMesh__Auth__Tokens__0__Sha256"] = TokenHash.HexOf(token);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var log = logFile is null ? null : new StreamWriter(logFile, append: false) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new LightMeshException("the controller did not start");
        var server = new ControllerProcess(process, api, xdsPort, token, log);
        process.OutputDataReceived += (_, e) => server.Note(e.Data);
        process.ErrorDataReceived += (_, e) => server.Note(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilLeadingAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The sum of a metric's series in the server's <c>/metrics</c> (all its labels), or null if it has none.</summary>
    public async Task<double?> MetricAsync(HttpClient http, string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var text = await http.GetStringAsync(new Uri(Api, "metrics"), timeout.Token);
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            var value = line.LastIndexOf(' ');
            var series = value > 0 ? line[..value] : "";
            if ((series == name || series.StartsWith(name + "{", StringComparison.Ordinal))
                && double.TryParse(line[(value + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var sample))
            {
                sum = (sum ?? 0) + sample;
            }
        }

        return sum;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            Output.Printer.Error($"bench: the controller (pid {_process.Id}) could not be stopped: {e.Message}");
        }

        _process.Dispose();
        lock (_logLock)
        {
            _log?.Dispose();
        }
    }

    private void Note(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("warn:", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _warnings);
        }
        else if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _errors);
        }

        _tail.Enqueue(line);
        while (_tail.Count > TailLines && _tail.TryDequeue(out _))
        {
        }

        lock (_logLock)
        {
            // The server's console log has no times; the file gets the time each line arrived.
            _log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
    }

    private async Task WaitUntilLeadingAsync(CancellationToken cancellationToken)
    {
        var leads = Readiness.ControllerLeads(Api, Token, ReadyTimeout);
        var started = Stopwatch.StartNew();
        while (started.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                throw new LightMeshException($"the controller exited with code {_process.ExitCode}: {string.Join(" | ", Tail.TakeLast(5))}");
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(leads.AttemptTimeout);
            try
            {
                if (await leads.Probe(attempt.Token))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // not up yet
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new ServerUnreachableException($"the controller at {Api} did not lead the release engine within {ReadyTimeout.TotalSeconds} s: {string.Join(" | ", Tail.TakeLast(5))}");
    }
}
