using LightMesh.Processes;

namespace LightMesh.Cli.Tests;

/// <summary>
/// The demo's Docker Engine: the machine's own when it answers (used as it is, never stopped), else a dockerd started
/// and stopped by the demo, here a second engine of the test's own beside the machine's, which it leaves alone.
/// </summary>
public sealed class LocalDockerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lightmesh-local-docker-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task StartAsync_EngineAlreadyAnswers_UsesItAndDisposeLeavesItRunning()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var endpoint = new Uri(LocalDocker.DefaultEndpoint);
        Assert.True(
            await LocalDocker.PingAsync(endpoint, timeout.Token),
            $"no Docker Engine answers at {endpoint}; ./test.sh starts one (dockerd --iptables=false --bridge=none)");

        var docker = await LocalDocker.StartAsync(_dir, timeout.Token);
        Assert.False(docker.StartedByUs);
        Assert.Null(docker.Process);
        Assert.Equal(endpoint, docker.Endpoint);
        await docker.DisposeAsync();

        Assert.True(await LocalDocker.PingAsync(endpoint, timeout.Token), "the machine's engine stopped answering");
        Assert.False(File.Exists(Path.Combine(_dir, "dockerd.log")));
    }

    [Fact]
    public async Task StartAsync_NothingAnswers_StartsDockerdAndDisposeStopsOnlyIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var endpoint = new Uri($"unix://{_dir}/docker.sock");
        Assert.False(await LocalDocker.PingAsync(endpoint, timeout.Token));

        var docker = await LocalDocker.StartAsync(
            endpoint,
            ["--data-root", Path.Combine(_dir, "data"), "--exec-root", Path.Combine(_dir, "exec"), "--pidfile", Path.Combine(_dir, "docker.pid")],
            _dir,
            timeout.Token);
        var pid = docker.Process?.Id;
        try
        {
            Assert.True(docker.StartedByUs);
            Assert.True(await LocalDocker.PingAsync(endpoint, timeout.Token));
            Assert.True(new FileInfo(Path.Combine(_dir, "dockerd.log")).Length > 0);
        }
        finally
        {
            await docker.DisposeAsync();
        }

        Assert.False(Directory.Exists($"/proc/{pid}"), "dockerd is still running");
        Assert.False(await LocalDocker.PingAsync(endpoint, timeout.Token), "the test's engine still answers");
        Assert.True(await LocalDocker.PingAsync(new Uri(LocalDocker.DefaultEndpoint), timeout.Token), "the machine's engine stopped answering");
    }
}
