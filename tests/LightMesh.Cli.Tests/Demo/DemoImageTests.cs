using System.Net;
using System.Runtime.Versioning;
using Docker.DotNet;
using Docker.DotNet.Models;
using LightMesh.Processes;
using LightMesh.Demo;
using LightMesh.Testing;
using Xunit.Abstractions;

namespace LightMesh.Cli.Tests.Demo;

/// <summary>
/// The demo's images are made on this machine's Docker Engine from the checkout and really serve: each tag answers with
/// its version, and the tag built with ERROR_RATE=0.5 fails about half of its requests.
/// </summary>
[Collection(DockerCollectionDefinition.Name)]
[SupportedOSPlatform("linux")]
public sealed class DemoImageTests(EtcdFixture etcd, DockerFixture docker, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Requests = 40;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    // Not lightmesh-demo: the test must not replace (and then remove) the images a user built for the demo.
    private readonly string _repository = $"lmtest-{Guid.NewGuid():N}"[..15];
    private readonly string _prefix = etcd.NewPrefix();
    private readonly List<string> _containers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task BuildAsync_ThreeTags_EachServesItsVersionAndTheFaultyOneFailsAboutHalf()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var request = new DemoImageRequest(
            RepositoryRoot.Find(AppContext.BaseDirectory),
            [new("v1"), new("v2"), new("v3") { Environment = new Dictionary<string, string> { ["ERROR_RATE"] = "0.5" } }])
        {
            Repository = _repository,
        };

        var result = await new DemoImage(docker.Client, TimeProvider.System).BuildAsync(request, new Progress<string>(output.WriteLine), timeout.Token);
        output.WriteLine(result.Describe());

        Assert.Equal(["v1", "v2", "v3"], result.Tags);
        Assert.InRange(result.SizeBytes, 50_000_000, 400_000_000);
        var ports = new Dictionary<string, int>();
        foreach (var tag in result.Tags)
        {
            ports[tag] = LoopbackPort.Free();
            await RunAsync(tag, ports[tag], timeout.Token);
        }

        foreach (var tag in result.Tags)
        {
            await Poll.UntilAsync(() => AnswerAsync(tag, ports[tag]), answer => answer == $"demo {tag}\n", TimeSpan.FromSeconds(60), $"{_repository}:{tag} to answer");
        }

        var failures = 0;
        for (var i = 0; i < Requests; i++)
        {
            using var answer = await Http.GetAsync(new Uri($"http://127.0.0.1:{ports["v3"]}/"), timeout.Token);
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.InternalServerError, $"v3 answered {answer.StatusCode}");
            failures += answer.StatusCode == HttpStatusCode.InternalServerError ? 1 : 0;
        }

        Assert.InRange(failures, 5, 35);
        for (var i = 0; i < 10; i++)
        {
            using var answer = await Http.GetAsync(new Uri($"http://127.0.0.1:{ports["v1"]}/"), timeout.Token);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
    }

    /// <summary>Starts a container of <paramref name="tag"/> the way the deployer would: host network, its port and version in the environment.</summary>
    private async Task RunAsync(string tag, int port, CancellationToken cancellationToken)
    {
        var created = await docker.Client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = $"{_repository}:{tag}",
                Name = $"{_repository}-{tag}",
                Env = [$"PORT={port}", "BIND_ADDRESS=127.0.0.1", $"LIGHTMESH_ETCD={etcd.Endpoint}", $"LIGHTMESH_PREFIX={_prefix}", $"LIGHTMESH_VERSION={tag}"],
                HostConfig = new HostConfig { NetworkMode = "host" },
            },
            cancellationToken);
        _containers.Add(created.ID);
        await docker.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
    }

    /// <summary>The body of <c>GET /</c>, or null while the service does not answer yet; fails at once, with its log, if the container has stopped.</summary>
    private async Task<string?> AnswerAsync(string tag, int port)
    {
        try
        {
            using var answer = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            return answer.IsSuccessStatusCode ? await answer.Content.ReadAsStringAsync() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            var id = _containers[int.Parse(tag[1..], System.Globalization.CultureInfo.InvariantCulture) - 1];
            var state = (await docker.Client.Containers.InspectContainerAsync(id)).State;
            Assert.True(state.Running, $"{_repository}:{tag} stopped with exit code {state.ExitCode}:\n{await LogAsync(id)}");
            return null;
        }
    }

    private async Task<string> LogAsync(string id)
    {
        using var logs = await docker.Client.Containers.GetContainerLogsAsync(id, tty: false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = "30" });
        var (stdout, stderr) = await logs.ReadOutputToEndAsync(CancellationToken.None);
        return stdout + stderr;
    }

    /// <summary>Removes the containers and images, whether the test passed or not.</summary>
    public async Task DisposeAsync()
    {
        foreach (var id in _containers)
        {
            await docker.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        }

        foreach (var tag in new[] { "v1", "v2", "v3" })
        {
            try
            {
                await docker.Client.Images.DeleteImageAsync($"{_repository}:{tag}", new ImageDeleteParameters { Force = true });
            }
            catch (DockerImageNotFoundException)
            {
                // The build stopped before this tag was imported.
            }
        }
    }
}
