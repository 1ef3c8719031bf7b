using System.Diagnostics;
using LightMesh.Core;

namespace LightMesh.Processes;

/// <summary>Runs a tool (dotnet, ldd) to its end under a timeout, killing it and whatever it started when time is up or the caller cancels.</summary>
public static class ToolRun
{
    private const int TailLines = 20;

    /// <summary>Runs <paramref name="fileName"/> and returns its output; throws a <see cref="LightMeshException"/> naming the command and the end of its output unless it exits with 0.</summary>
    public static async Task<ToolRunResult> RunCheckedAsync(
        string fileName, IReadOnlyList<string> arguments, string? workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await RunAsync(fileName, arguments, workingDirectory, timeout, cancellationToken);
        return result.ExitCode == 0
            ? result
            : throw new LightMeshException($"`{result.Command}` failed with exit code {result.ExitCode}:\n{result.Tail(TailLines)}");
    }

    /// <summary>Runs <paramref name="fileName"/> to its end, whatever its exit code; a timeout is a <see cref="LightMeshException"/>, a cancellation an <see cref="OperationCanceledException"/>.</summary>
    public static async Task<ToolRunResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, string? workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var command = string.Join(' ', [fileName, .. arguments]);
        var lines = new List<string>();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Keep(lines, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(lines, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LightMeshException($"`{command}` could not be started: {e.Message}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new LightMeshException(
                $"`{command}` did not finish within {timeout.TotalSeconds:0} s and was stopped; its last output:\n{Result(command, -1, lines).Tail(TailLines)}");
        }

        return Result(command, process.ExitCode, lines);
    }

    private static ToolRunResult Result(string command, int exitCode, List<string> lines)
    {
        lock (lines)
        {
            return new ToolRunResult(command, exitCode, [.. lines]);
        }
    }

    private static void Keep(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }
    }
}
