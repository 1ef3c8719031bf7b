using System.Globalization;
using LightMesh.Processes;
using LightMesh.Core;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>A child process of the demo: its log, its readiness, how it fails and how it is stopped.</summary>
public sealed class LocalProcessTests : IDisposable
{
    private static readonly Readiness Never = new("nothing", _ => Task.FromResult(false), TimeSpan.FromSeconds(1));

    private readonly string _dir = Directory.CreateTempSubdirectory("lightmesh-local-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Start_ArgumentsAndEnvironment_ReachTheProgramAsGivenAndItsOutputTheLog()
    {
        await using var process = LocalProcess.Start(Options("/bin/sh", "-c", "echo \"[$1] [$LIGHTMESH_TEST]\"; echo oops >&2", "sh", "a b; $(false) *") with
        {
            Environment = new Dictionary<string, string> { ["LIGHTMESH_TEST"] = "it's here" },
        });

        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal(["[a b; $(false) *] [it's here]", "oops"], process.Tail.Order());
        Assert.Equal(["[a b; $(false) *] [it's here]", "oops"], (await File.ReadAllLinesAsync(process.LogFile!)).Order());
    }

    [Fact]
    public async Task StartAsync_ExitsBeforeReady_FailsNamingItsLogAndLastLines()
    {
        var e = await Assert.ThrowsAsync<LightMeshException>(() =>
            LocalProcess.StartAsync(Options("/bin/sh", "-c", "echo starting; echo 'cannot bind 127.0.0.1:1' >&2; exit 3"), Never with { Timeout = TimeSpan.FromSeconds(10) }, CancellationToken.None));

        Assert.StartsWith($"fake server exited with code 3 before it was ready; log: {_dir}/fake.log, ending with:\n", e.Message, StringComparison.Ordinal);
        Assert.Contains("  cannot bind 127.0.0.1:1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NeverReady_FailsInTimeAndStopsIt()
    {
        var pidFile = Path.Combine(_dir, "pid");
        var e = await Assert.ThrowsAsync<LightMeshException>(() =>
            LocalProcess.StartAsync(Options("/bin/sh", "-c", $"echo $$ > {pidFile}; echo waiting; exec sleep 60"), Never, CancellationToken.None));

        Assert.StartsWith("fake server was not ready within 1 s: waited for nothing; the last attempt: not ready yet; log: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("ending with:\n  waiting", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/proc/{(await File.ReadAllTextAsync(pidFile)).Trim()}"), "the process is still running");
    }

    [Fact]
    public async Task StartAsync_ProbeThrows_KeepsTryingAndSaysWhatItLastMet()
    {
        var attempts = 0;
        var flaky = new Readiness("the third attempt", _ => ++attempts < 3 ? throw new HttpRequestException("Connection refused") : Task.FromResult(true), TimeSpan.FromSeconds(10));

        await using var process = await LocalProcess.StartAsync(Options("/bin/sleep", "60"), flaky, CancellationToken.None);

        Assert.Equal(3, attempts);
        Assert.False(process.HasExited);
    }

    [Fact]
    public async Task DisposeAsync_Running_SendsSigtermAndLetsItFinish()
    {
        var process = LocalProcess.Start(Options("/bin/sh", "-c", "trap 'echo stopping; exit 0' TERM; echo up; while true; do sleep 0.05; done"));
        await UntilItSaysUp(process);

        await process.DisposeAsync();

        Assert.True(process.HasExited);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(["up", "stopping"], await File.ReadAllLinesAsync(process.LogFile!));
    }

    [Fact]
    public async Task DisposeAsync_IgnoresSigterm_IsKilledWithItsChildrenAfterTheStopTimeout()
    {
        var childPid = Path.Combine(_dir, "child");
        var process = LocalProcess.Start(Options("/bin/sh", "-c", $"trap '' TERM; sleep 60 & echo $! > {childPid}; echo up; wait") with { StopTimeout = TimeSpan.FromMilliseconds(500) });
        await UntilItSaysUp(process);
        var parent = process.Id;

        await process.DisposeAsync();

        Assert.True(process.HasExited);
        Assert.False(Directory.Exists($"/proc/{parent}"), "the process is still running");
        // The orphaned child is reaped by init, not by us: wait for that.
        var child = int.Parse(await File.ReadAllTextAsync(childPid), CultureInfo.InvariantCulture);
        await Poll.UntilAsync(() => Task.FromResult(IsGone(child)), gone => gone, TimeSpan.FromSeconds(5), $"its child (pid {child}) to be gone");
    }

    [Fact]
    public async Task Start_NoSuchProgram_FailsNamingIt()
    {
        var e = await Assert.ThrowsAsync<LightMeshException>(() =>
            LocalProcess.StartAsync(Options("/nonexistent/lightmesh-server"), Never, CancellationToken.None));

        Assert.StartsWith("could not start fake server (/nonexistent/lightmesh-server): ", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Whether no process <paramref name="pid"/> runs: none at all, or a zombie (dead, not yet reaped).</summary>
    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
    }

    private static Task<IReadOnlyList<string>> UntilItSaysUp(LocalProcess process) =>
        Poll.UntilAsync(() => Task.FromResult(process.Tail), tail => tail.Contains("up"), TimeSpan.FromSeconds(10), $"{process.Name} to say up");

    private LocalProcessOptions Options(string executable, params string[] arguments) => new()
    {
        Name = "fake server",
        Executable = executable,
        Arguments = arguments,
        LogFile = Path.Combine(_dir, "fake.log"),
    };
}
