using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using LightMesh.Core;

namespace LightMesh.Processes;

/// <summary>
/// A child process: etcd, Prometheus, dockerd, a controller or a demo service started by the demo, the dev environment,
/// a benchmark or a test. Its output goes to a log file (if given) and its last lines are kept for error messages; it
/// can be waited for until ready or until it exits, frozen and thawed; on dispose it gets SIGTERM, then is killed with
/// its children (at once when its <see cref="LocalProcessOptions.StopTimeout"/> is zero).
/// </summary>
public sealed class LocalProcess : IAsyncDisposable
{
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private readonly Process _process;
    private readonly StreamWriter? _log;
    private readonly LocalProcessOptions _options;
    private readonly Lock _logLock = new();
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly TimeSpan _stopTimeout;
    private bool _logClosed;
    private int _disposed;
    private int? _exitCode;

    private LocalProcess(LocalProcessOptions options, Process process, StreamWriter? log)
    {
        _options = options;
        Name = options.Name;
        LogFile = options.LogFile;
        _stopTimeout = options.StopTimeout;
        _process = process;
        _log = log;
        Id = process.Id;
    }

    /// <summary>What the process is to a user, as given in <see cref="LocalProcessOptions.Name"/>.</summary>
    public string Name { get; }

    public string? LogFile { get; }

    public int Id { get; }

    public bool HasExited => _exitCode is not null || _process.HasExited;

    /// <summary>Its exit code once it has exited, else null.</summary>
    public int? ExitCode => _exitCode ?? (_process.HasExited ? _process.ExitCode : null);

    /// <summary>The last lines it wrote (standard output and error), oldest first.</summary>
    public IReadOnlyList<string> Tail => [.. _tail];

    /// <summary>The last lines it wrote, as one text.</summary>
    public string Output => string.Join('\n', _tail);

    /// <summary>Starts the process and returns at once; its output is written to its log file from now on.</summary>
    public static LocalProcess Start(LocalProcessOptions options)
    {
        var info = new ProcessStartInfo(options.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? "",
        };
        foreach (var argument in options.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (options.DropInherited is { } drop)
        {
            foreach (var name in info.Environment.Keys.Where(drop).ToList())
            {
                info.Environment.Remove(name);
            }
        }

        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }

        StreamWriter? log = null;
        if (options.LogFile is { } logFile)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
            log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new LightMeshException($"could not start {options.Name} ({options.Executable})");
        }
        catch (Win32Exception e)
        {
            log?.Dispose();
            throw new LightMeshException($"could not start {options.Name} ({options.Executable}): {e.Message}", e);
        }

        var started = new LocalProcess(options, process, log);
        process.OutputDataReceived += (_, e) => started.Note(e.Data);
        process.ErrorDataReceived += (_, e) => started.Note(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // A server reads nothing: give it an empty input rather than the user's terminal.
        process.StandardInput.Close();
        return started;
    }

    /// <summary>
    /// Starts the process and waits until <paramref name="readiness"/> passes; if it does not in time, or the process
    /// exits first, or <paramref name="cancellationToken"/> ends the wait, stops it and throws.
    /// </summary>
    public static async Task<LocalProcess> StartAsync(LocalProcessOptions options, Readiness readiness, CancellationToken cancellationToken)
    {
        var process = Start(options);
        try
        {
            await process.WaitUntilReadyAsync(readiness, cancellationToken);
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits for the process to exit and returns its exit code; throws if it is still running after
    /// <paramref name="timeout"/> (it is left running: dispose stops it).
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!await ExitsWithinAsync(timeout, cancellationToken))
        {
            throw new LightMeshException(Explain($"{Name} did not finish within {Readiness.Seconds(timeout)}"));
        }

        await DrainAsync();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        string? failure = null;
        try
        {
            if (!_process.HasExited && _stopTimeout == TimeSpan.Zero)
            {
                _process.Kill(entireProcessTree: true);
                if (!await ExitsWithinAsync(KillTimeout, CancellationToken.None))
                {
                    failure = $"{Name} (pid {Id}) did not exit within {Readiness.Seconds(KillTimeout)} of being killed";
                }
            }
            else if (!_process.HasExited)
            {
                Terminate();
                if (!await ExitsWithinAsync(_stopTimeout, CancellationToken.None))
                {
                    _process.Kill(entireProcessTree: true);
                    if (!await ExitsWithinAsync(KillTimeout, CancellationToken.None))
                    {
                        failure = $"{Name} (pid {Id}) did not exit within {Readiness.Seconds(KillTimeout)} of being killed";
                    }
                }
            }

            await DrainAsync();
            _exitCode = _process.HasExited ? _process.ExitCode : null;
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            failure = $"{Name} (pid {Id}) could not be stopped: {e.Message}";
        }
        finally
        {
            _process.Dispose();
            lock (_logLock)
            {
                _logClosed = true;
                _log?.Dispose();
            }
        }

        if (failure is not null)
        {
            throw new LightMeshException(failure);
        }
    }

    /// <summary>Asks it to stop as <c>docker stop</c> or systemd would (SIGTERM) and waits for it to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Signal(NativeMethods.SigTerm);
        return await WaitForExitAsync(timeout, cancellationToken);
    }

    /// <summary>Kills it alone (SIGKILL), as a crash or the OOM killer would: nothing runs on its way out.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        Signal(NativeMethods.SigKill);
        await WaitForExitAsync(KillTimeout, cancellationToken);
    }

    /// <summary>Stops it where it stands (SIGSTOP), as a machine that hangs would; <see cref="Thaw"/> lets it go on.</summary>
    public void Freeze() => Signal(NativeMethods.SigStop);

    /// <summary>Lets a frozen process go on (SIGCONT).</summary>
    public void Thaw() => Signal(NativeMethods.SigCont);

    private void Signal(int signal)
    {
        if (NativeMethods.Kill(Id, signal) != 0 && !_process.HasExited)
        {
            throw new LightMeshException($"{Name} (pid {Id}) could not be sent signal {signal}");
        }
    }

    private void Terminate()
    {
        if (OperatingSystem.IsWindows() || NativeMethods.Kill(Id, NativeMethods.SigTerm) != 0)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Polls for the exit itself: an exited process whose child still holds its output open must not look alive.</summary>
    private async Task<bool> ExitsWithinAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!_process.HasExited)
        {
            if (waited.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(50, cancellationToken);
        }

        return true;
    }

    /// <summary>Lets the last lines of an exited process reach its log and tail, for a while.</summary>
    private async Task DrainAsync()
    {
        using var drain = new CancellationTokenSource(DrainTimeout);
        try
        {
            await _process.WaitForExitAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
            // A child of the process still holds its output open; what arrived is enough.
        }
    }

    private void Note(string? line)
    {
        if (line is null)
        {
            return;
        }

        _options.OnLine?.Invoke(line);
        _tail.Enqueue(line);
        while (_tail.Count > _options.KeptLines && _tail.TryDequeue(out _))
        {
        }

        lock (_logLock)
        {
            if (!_logClosed && _log is not null)
            {
                _log.WriteLine(_options.TimestampLog ? $"{DateTime.UtcNow:HH:mm:ss.fff} {line}" : line);
            }
        }
    }

    private const int ShownLines = 15;

    /// <summary>
    /// Polls <paramref name="readiness"/> until it passes; throws, naming this process, its log and its last lines, if
    /// it does not pass in time or the process exits first. The process is left running either way.
    /// </summary>
    public Task WaitUntilReadyAsync(Readiness readiness, CancellationToken cancellationToken) =>
        readiness.WaitAsync(Name, ExitedAsync, Explain, cancellationToken);

    /// <summary>A message about this process: <paramref name="headline"/>, then where its log is and its last lines.</summary>
    public string Explain(string headline)
    {
        var tail = Tail.TakeLast(ShownLines).ToList();
        return (tail.Count, LogFile) switch
        {
            (0, null) => $"{headline}; it wrote nothing",
            (0, var log) => $"{headline}; it wrote nothing (log: {log})",
            (_, null) => $"{headline}; ending with:\n  {string.Join("\n  ", tail)}",
            (_, var log) => $"{headline}; log: {log}, ending with:\n  {string.Join("\n  ", tail)}",
        };
    }

    private async Task<string?> ExitedAsync()
    {
        if (!_process.HasExited)
        {
            return null;
        }

        await DrainAsync();
        return $"{Name} exited with code {_process.ExitCode} before it was ready";
    }
}
