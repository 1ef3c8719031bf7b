using System.Diagnostics;
using LightMesh.Processes;

namespace LightMesh.Cli.Tests;

/// <summary>Runs the built CLI as a separate process, the way users and CI run it.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static string RepositoryRoot => LightMesh.Testing.Repository.Root;

    public static string Example(string file) => Path.Combine(RepositoryRoot, "examples", file);

    public static ProcessStartInfo StartInfo(params string[] args) => StartInfoOf("lightmesh.dll", args);

    /// <summary>The benchmarks' own program (<c>lightmesh-bench</c>), run the same way.</summary>
    public static Task<Result> RunBenchAsync(params string[] args) => RunAsync(StartInfoOf("lightmesh-bench.dll", args));

    private static ProcessStartInfo StartInfoOf(string assembly, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Verbs reach etcd or a controller only as each test says, never through the caller's environment.
        info.Environment.Remove("LIGHTMESH_ETCD");
        info.Environment.Remove("LIGHTMESH_SERVER");
        return info;
    }

    /// <summary>
    /// <c>lightmesh server ARGS</c> started through the process harness, with nothing inherited that points it at an
    /// etcd or a controller; killed on dispose, as a crash would.
    /// </summary>
    public static Task<LocalProcess> StartServerAsync(
        IReadOnlyList<string> args, Uri ready, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        LocalProcess.StartAsync(Running(["server", .. args], environment, workingDirectory), Readiness.Answers(ready, TimeSpan.FromSeconds(60)), CancellationToken.None);

    /// <summary>A verb that runs until it is stopped (<c>xds serve</c>, <c>register</c>) started through the process harness; killed on dispose.</summary>
    public static LocalProcess Start(params string[] args) => LocalProcess.Start(Running(args, null, null));

    private static LocalProcessOptions Running(string[] args, IReadOnlyDictionary<string, string>? environment, string? workingDirectory) => new()
    {
        Name = $"lightmesh {args[0]}",
        Executable = SelfCommand.Host,
        Arguments = SelfCommand.Arguments(args),
        DropInherited = name => name is "LIGHTMESH_ETCD" or "LIGHTMESH_SERVER",
        Environment = environment ?? new Dictionary<string, string>(),
        WorkingDirectory = workingDirectory,
        KeptLines = 2000,
        StopTimeout = TimeSpan.Zero,
    };

    public static Task<Result> RunAsync(params string[] args) => RunAsync(StartInfo(args));

    /// <summary>Runs the process to its end, killing it after <paramref name="timeout"/> (two minutes unless given).</summary>
    public static async Task<Result> RunAsync(ProcessStartInfo info, string? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException("the CLI did not start");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // A verb that runs on (as one did on a billion-laughs document) must not outlive its test.
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
