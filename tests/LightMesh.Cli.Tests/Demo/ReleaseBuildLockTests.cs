using System.Diagnostics;
using LightMesh.Demo;

namespace LightMesh.Cli.Tests.Demo;

/// <summary>
/// The lock that keeps the demo's publish and <c>./lightmesh</c>'s build of the same checkout apart (two Release builds at
/// once broke a demo in CI: one read a static web assets manifest the other was writing). Each holder below is another
/// process, as in use: a second .NET process would be the same lock as a second open here.
/// </summary>
public sealed class ReleaseBuildLockTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("lightmesh-build-lock-");

    [Fact]
    public async Task Acquire_WhileTheScriptsFlockHoldsIt_Waits_AndGoesOnOnceItIsLet()
    {
        var path = Path.Combine(root.FullName, ReleaseBuildLock.RelativePath);
        using var flock = await HoldWithFlockAsync(path);

        var waiting = ReleaseBuildLock.AcquireAsync(root.FullName, TimeSpan.FromMinutes(1), TimeProvider.System, CancellationToken.None);
        await Task.Delay(ReleaseBuildLock.RetryInterval * 3);
        Assert.False(waiting.IsCompleted, "the lock was taken while flock held it");

        await flock.StandardInput.WriteLineAsync();
        await flock.WaitForExitAsync();
        using var held = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        // Held by us now: the script's flock must wait in turn.
        using var script = Process.Start(new ProcessStartInfo("flock", ["--nonblock", path, "true"]))!;
        await script.WaitForExitAsync();
        Assert.Equal(1, script.ExitCode);
    }

    [Fact]
    public async Task Acquire_HeldLongerThanTheTimeout_SaysWhichFileAndFor()
    {
        var path = Path.Combine(root.FullName, ReleaseBuildLock.RelativePath);
        using var flock = await HoldWithFlockAsync(path);

        var e = await Assert.ThrowsAsync<TimeoutException>(
            () => ReleaseBuildLock.AcquireAsync(root.FullName, TimeSpan.FromMilliseconds(500), TimeProvider.System, CancellationToken.None));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        await flock.StandardInput.WriteLineAsync();
        await flock.WaitForExitAsync();
    }

    [Fact]
    public async Task Acquire_Released_CanBeTakenAgain()
    {
        using (await ReleaseBuildLock.AcquireAsync(root.FullName, TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None))
        {
        }

        using var again = await ReleaseBuildLock.AcquireAsync(root.FullName, TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(root.FullName, ReleaseBuildLock.RelativePath)));
    }

    public void Dispose() => root.Delete(recursive: true);

    /// <summary>Holds the lock as <c>./lightmesh</c> does, until a line arrives on the returned process' standard input.</summary>
    private static async Task<Process> HoldWithFlockAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var flock = Process.Start(new ProcessStartInfo("flock", [path, "sh", "-c", "read line"]) { RedirectStandardInput = true })!;
        for (var i = 0; i < 100; i++)
        {
            using var probe = Process.Start(new ProcessStartInfo("flock", ["--nonblock", path, "true"]))!;
            await probe.WaitForExitAsync();
            if (probe.ExitCode != 0)
            {
                return flock;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"flock did not take {path} in 10 s");
    }
}
