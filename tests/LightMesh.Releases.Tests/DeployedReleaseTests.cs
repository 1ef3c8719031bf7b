using Docker.DotNet.Models;
using LightMesh.Core.Deployment;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Deployer;
using LightMesh.Deployer.Engine;
using LightMesh.Deployer.Revisions;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// Releases of a service LightMesh deploys: canary containers started through the Docker Engine, promoted to stable
/// replicas, or removed with the node back at its revision from before the release.
/// </summary>
[Collection(DockerCollectionDefinition.Name)]
public sealed class DeployedReleaseTests(EtcdFixture etcd, DockerFixture docker) : IAsyncLifetime, IDisposable
{
    private readonly string _node = $"n{Guid.NewGuid():N}"[..12];
    private readonly Dictionary<string, InstanceRegistration> _registered = [];
    private readonly CancellationTokenSource _stop = new();
    private ControllerHarness? _harness;
    private Task? _registrar;

    private ControllerHarness H => _harness!;
    private string Project => ComposePlanner.ProjectName(_node);

    public async Task InitializeAsync()
    {
        _harness = await ControllerHarness.StartAsync(etcd);
        await H.ApplyAsync($"apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: {_node}}}\nspec: {{address: 127.0.0.1, dockerEndpoint: \"{DockerFixture.Endpoint}\"}}");
        _registrar = RegisterContainersAsync(_stop.Token);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _registrar!;
        foreach (var registration in _registered.Values)
        {
            await registration.DisposeAsync();
        }

        await docker.RemoveProjectAsync(Project);
        await H.DisposeAsync();
    }

    public void Dispose() => _stop.Dispose();

    [Fact]
    public async Task HealthyRelease_CanaryContainersThenPromotion_LeavesOnlyTheNewStableReplicas()
    {
        var port = await DeployAsync("theta", replicas: 2);
        var release = await H.StartAsync("theta", "v2");

        await H.WaitAsync(release.Id, r => r.CurrentStep is SetWeightStep, "the canary deployed");
        Assert.Contains("theta-v2-canary-1", await ContainersAsync());
        Assert.Equal("theta v2", await GetAsync(port + ComposePlanner.CanaryPortOffset));

        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded, seconds: 90);

        Assert.Equal(["theta-v2-1", "theta-v2-2"], (await ContainersAsync()).Order(StringComparer.Ordinal));
        Assert.Equal("theta v2", await GetAsync(port));
        var service = (MeshService)(await H.Documents.GetAsync(DocumentKind.Service, "theta", default))!;
        Assert.Equal("v2", service.Spec.Deploy!.StableVersion);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("theta"));
    }

    [Fact]
    public async Task FailingRelease_RollsBack_CanaryRemovedAndTheNodeBackAtItsRevision()
    {
        var port = await DeployAsync("eta", replicas: 1);
        var revisions = new NodeRevisionStore(H.Etcd, TimeProvider.System);
        var before = (await revisions.CurrentAsync(_node, default)).Revision!.Revision;
        var stableContainer = (await ContainersWithIdsAsync())["eta-v1-1"];

        var release = await H.StartAsync("eta", "v3");
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack, seconds: 90);

        Assert.Contains("0.4", done.RollingBack, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string> { ["eta-v1-1"] = stableContainer }, await ContainersWithIdsAsync());
        Assert.Equal(before, (await revisions.CurrentAsync(_node, default)).Revision!.Revision);
        Assert.Equal("eta v1", await GetAsync(port));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("eta"));
    }

    /// <summary>A deployed service at stable v1 running on the node, and its workflow: deploy, 50%, analysis, promote.</summary>
    private async Task<int> DeployAsync(string service, int replicas)
    {
        var port = Ports.Free();
        await H.ApplyAsync($$"""
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: {{service}}}
            spec:
              protocol: http
              port: {{port}}
              deploy:
                image: {{DockerFixture.WebImage}}
                versions: {stable: v1}
                replicas: {{replicas}}
                placement: {nodes: [{{_node}}]}
                healthcheck:
                  test: [CMD-SHELL, "wget -q -O- http://127.0.0.1:$PORT/"]
                  interval: 500ms
                  timeout: 1s
                  retries: 10
                stopGracePeriod: 1s
            ---
            apiVersion: lightmesh.io/v1
            kind: ReleaseWorkflow
            metadata: {name: {{service}}-flow}
            spec:
              steps:
              - deploy: {replicas: 1}
              - setWeight: 50
              - analysis: {templates: [error-ratio]}
              - promote: {}
            """);
        var options = new DeployerOptions { EtcdEndpoints = etcd.Endpoint };
        var deployer = NodeDeployer.ForDocker(H.Etcd, TimeProvider.System, options);
        var applied = await deployer.ApplyAsync(_node, [], null, default);
        Assert.True(applied.Outcome == DeployOutcome.Applied, string.Join("; ", applied.Errors));
        await Poll.UntilAsync(() => new InstanceRegistry(H.Etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>()).ListAsync(service, default), i => i.Count == replicas, TimeSpan.FromSeconds(10), "the stable instances");
        return port;
    }

    /// <summary>Stands in for the services' own registration: every running container of the node is a live instance.</summary>
    private async Task RegisterContainersAsync(CancellationToken stop)
    {
        var registry = new InstanceRegistry(H.Etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        while (!stop.IsCancellationRequested)
        {
            var running = (await ListAsync()).Where(c => c.State == "running" && c.Labels.ContainsKey("io.lightmesh.version")).ToList();
            foreach (var container in running.Where(c => !_registered.ContainsKey(c.ID)))
            {
                var inspect = await docker.Client.Containers.InspectContainerAsync(container.ID, stop);
                var port = int.Parse(inspect.Config.Env.Single(e => e.StartsWith("PORT=", StringComparison.Ordinal))[5..], System.Globalization.CultureInfo.InvariantCulture);
                var version = container.Labels["io.lightmesh.version"];
                var instance = new Instance
                {
                    Service = container.Labels["io.lightmesh.service"], Id = container.Labels[ComposeLabels.Service], Version = version, Address = "127.0.0.1", Port = port,
                    Labels = new Dictionary<string, string> { ["version"] = version },
                };
                var outcome = await registry.RegisterAsync(instance, TimeSpan.FromSeconds(10), stop);
                if (outcome.Registration is { } registration)
                {
                    _registered[container.ID] = registration;
                }
            }

            foreach (var gone in _registered.Keys.Except(running.Select(c => c.ID)).ToList())
            {
                await _registered[gone].StopAsync(revoke: true, stop);
                _registered.Remove(gone);
            }

            await Task.Delay(200, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task<IList<ContainerListResponse>> ListAsync() =>
        await docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ComposeLabels.Project}={Project}"] = true } },
        });

    private async Task<Dictionary<string, string>> ContainersWithIdsAsync() =>
        (await ListAsync()).Where(c => c.Labels.ContainsKey("io.lightmesh.version")).ToDictionary(c => c.Labels[ComposeLabels.Service], c => c.ID);

    private async Task<IReadOnlyList<string>> ContainersAsync() => [.. (await ContainersWithIdsAsync()).Keys];

    private static async Task<string> GetAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return (await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"))).Trim();
    }
}
