using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using LightMesh.Core;

namespace LightMesh.Processes;

/// <summary>
/// A process of the dev environment: started in a session of its own with its output going straight to its log file,
/// so it outlives the command that started it and a Ctrl-C in that terminal; found again, and stopped, by its pid.
/// </summary>
public static class DetachedProcess
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Starts <paramref name="program"/> with <paramref name="arguments"/> and returns its record; the log file is created or truncated.</summary>
    public static DetachedProcessRecord Start(string name, string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);

        // setsid runs the shell in a new session (its pid is the one Process.Start returns, since this process is not a
        // group leader); the shell points standard input, output and error at the log and becomes the program.
        var info = new ProcessStartInfo(ExecutableSearch.Require("setsid")) { UseShellExecute = false };
        foreach (var argument in (string[])["sh", "-c", "log=$1; shift; exec \"$@\" >\"$log\" 2>&1 </dev/null", "lightmesh-dev", logFile, program, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(info) ?? throw new LightMeshException($"could not start {name} ({program})");
            return new DetachedProcessRecord(name, process.Id, program, logFile);
        }
        catch (Win32Exception e)
        {
            throw new LightMeshException($"could not start {name} ({program}): {e.Message}", e);
        }
    }

    /// <summary>Whether the process is still running (not gone, not a zombie) and is still the program it was started as.</summary>
    public static bool IsRunning(DetachedProcessRecord process)
    {
        if (!IsAlive(process.Pid))
        {
            return false;
        }

        // Until the shell has exec'd, the pid is setsid's or sh's, whose arguments name the program; after, the
        // program's. A pid reused by something else names it nowhere. While an exec is under way the command line reads
        // empty: that is the process being itself.
        try
        {
            var commandLine = File.ReadAllText(Path.Combine(ProcDirectory(process.Pid), "cmdline"));
            return commandLine.Length == 0 || commandLine.Contains(process.Program, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="pid"/> is a process that has not exited (a zombie has).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(ProcDirectory(pid), "stat"));
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string ProcDirectory(int pid) => $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>SIGTERM, then SIGKILL if it has not exited within 10 s; returns whether it was running.</summary>
    public static async Task<bool> StopAsync(DetachedProcessRecord process, CancellationToken cancellationToken)
    {
        if (!IsRunning(process))
        {
            return false;
        }

        // A failed kill means the process is gone already (ESRCH): the wait below sees that at once.
        _ = NativeMethods.Kill(process.Pid, NativeMethods.SigTerm);
        if (await ExitsWithinAsync(process, StopTimeout, cancellationToken))
        {
            return true;
        }

        _ = NativeMethods.Kill(process.Pid, NativeMethods.SigKill);
        if (!await ExitsWithinAsync(process, StopTimeout, cancellationToken))
        {
            throw new LightMeshException($"{process.Name} (pid {process.Pid}) did not exit within {StopTimeout.TotalSeconds:0} s of SIGKILL");
        }

        return true;
    }

    /// <summary>The last <paramref name="count"/> lines of the process's log, for an error message.</summary>
    public static string Tail(DetachedProcessRecord process, int count = 15)
    {
        try
        {
            var lines = File.ReadAllLines(process.Log);
            return lines.Length == 0
                ? $"it wrote nothing (log: {process.Log})"
                : $"log: {process.Log}, ending with:\n  {string.Join("\n  ", lines.TakeLast(count))}";
        }
        catch (IOException e)
        {
            return $"its log {process.Log} could not be read: {e.Message}";
        }
    }

    /// <summary>
    /// Polls <paramref name="readiness"/> until it passes; throws, naming the process and the end of its log, when it
    /// exits first or is not ready in time.
    /// </summary>
    public static Task WaitUntilReadyAsync(DetachedProcessRecord process, Readiness readiness, CancellationToken cancellationToken) =>
        readiness.WaitAsync(
            process.Name,
            // The pid is one this command started moments ago: alive is enough (its command line reads empty mid-exec).
            () => Task.FromResult(IsAlive(process.Pid) ? null : $"{process.Name} exited before it was ready"),
            headline => $"{headline}; {Tail(process)}",
            cancellationToken);

    private static async Task<bool> ExitsWithinAsync(DetachedProcessRecord process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (IsRunning(process))
        {
            if (waited.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        return true;
    }
}
