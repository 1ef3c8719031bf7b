using Docker.DotNet.Models;
using LightMesh.Processes;
using LightMesh.Core.Deployment;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Deployer;
using LightMesh.Deployer.Engine;
using LightMesh.Deployer.Revisions;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Tests;

/// <summary>
/// Releases of a service LightMesh deploys: canary containers started through the Docker Engine, promoted to stable
/// replicas, or removed with the node back at its revision from before the release; whatever an operator does during
/// the promotion, and whatever the engine or the node's lock do to a step. The node reaches the engine through a link
/// to its socket, so a test can take the engine away and give it back.
/// </summary>
[Collection(DockerCollectionDefinition.Name)]
public sealed class DeployedReleaseTests(EtcdFixture etcd, DockerFixture docker) : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(2);

    private readonly string _node = $"n{Guid.NewGuid():N}"[..12];
    private readonly Dictionary<string, InstanceRegistration> _registered = [];
    private readonly CancellationTokenSource _stop = new();
    private ControllerHarness? _harness;
    private Task? _registrar;

    private ControllerHarness H => _harness!;
    private string Project => ComposePlanner.ProjectName(_node);

    private string Socket => Path.Combine(Path.GetTempPath(), $"lightmesh-{_node}.sock");

    public async Task InitializeAsync()
    {
        // A drain long enough to act in, and time to wait for a node whose lock a dead holder left behind.
        _harness = await ControllerHarness.StartAsync(etcd, engine: o => o with { DrainDelay = Drain, DeployTimeout = TimeSpan.FromSeconds(40) });
        File.CreateSymbolicLink(Socket, new Uri(DockerFixture.Endpoint).AbsolutePath);
        await H.ApplyAsync($"apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {{name: {_node}}}\nspec: {{address: 127.0.0.1, dockerEndpoint: \"unix://{Socket}\"}}");
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
        File.Delete(Socket);
    }

    public void Dispose() => _stop.Dispose();

    [Fact]
    public async Task HealthyRelease_CanaryContainersThenPromotion_LeavesOnlyTheNewStableReplicas()
    {
        var port = await DeployAsync("theta", replicas: 2);
        var release = await H.StartAsync("theta", "v2");

        // Past its deploy step: its setWeight now takes milliseconds, so the step after it is what a poll sees; the canary
        // runs until the promotion removes it, after two drains.
        await H.WaitAsync(release.Id, r => r.Step >= 1, "the canary deployed");
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

    [Fact]
    public async Task Promote_WhileThePromotionRuns_IsRefused_AndTheReleaseEndsWithOnlyTheNewStableReplicas()
    {
        var port = await DeployAsync("theta", replicas: 1);
        var release = await H.StartAsync("theta", "v2");
        await H.WaitAsync(release.Id, r => r.Promotion == PromotionMove.NewStableStarted, "the promotion draining the old version", seconds: 60);

        var promote = await H.Releases.ActAsync(release.Id, OperatorAction.Promote, "alice", default);

        Assert.Equal(ReleaseOutcome.Conflict, promote.Outcome);
        Assert.Contains("promoting already", promote.Errors.Single(), StringComparison.Ordinal);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded, seconds: 60);
        await AssertStableAsync("theta", "v2", port, ["theta-v2-1"]);
    }

    [Fact]
    public async Task Abort_DuringThePromotionsLastDrain_BringsTheOldVersionBack_WithAllTraffic()
    {
        var port = await DeployAsync("eta", replicas: 1);
        var release = await H.StartAsync("eta", "v2");

        // By now the promotion has made v2 stable, started its stable replicas and removed v1's.
        await H.WaitAsync(release.Id, r => r.Promotion == PromotionMove.CanaryRemoved, "the promotion draining the canary", seconds: 60);
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(release.Id, OperatorAction.Abort, "bob", default)).Outcome);

        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.Aborted, seconds: 60);
        Assert.Equal("aborted by bob", done.RollingBack);
        await AssertStableAsync("eta", "v1", port, ["eta-v1-1"]);
    }

    [Fact]
    public async Task DeployStep_DockerEngineUnreachable_IsRetriedAndShownUntilItAnswersAgain()
    {
        var port = await DeployAsync("zeta", replicas: 1);
        File.Delete(Socket);
        var release = await H.StartAsync("zeta", "v2");

        var retrying = await H.WaitAsync(release.Id, r => r.Retry is { Attempt: >= 2 }, "a second try of the deploy step");
        Assert.Equal((ReleasePhase.Progressing, 0, null), (retrying.Phase, retrying.Step, retrying.RollingBack));
        Assert.Contains($"the Docker Engine of node {_node}", retrying.Retry!.Reason, StringComparison.Ordinal);
        Assert.Contains("could not be reached", retrying.Retry.Reason, StringComparison.Ordinal);
        Assert.True(retrying.Retry.At > retrying.Retry.Since);

        File.CreateSymbolicLink(Socket, new Uri(DockerFixture.Endpoint).AbsolutePath);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded, seconds: 90);
        await AssertStableAsync("zeta", "v2", port, ["zeta-v2-1"]);
    }

    [Fact]
    public async Task DeployStep_NodeBusy_WaitsForItsLock_AndALockWhoseHolderDiedLapsesInSeconds()
    {
        var port = await DeployAsync("epsilon", replicas: 1);
        var held = await new NodeRevisionStore(H.Etcd, TimeProvider.System).TryLockAsync(_node, "apply by a process about to die", default);
        Assert.NotNull(held);
        var release = await H.StartAsync("epsilon", "v2");

        var waiting = await H.WaitAsync(release.Id, r => r.Retry is not null, "the deploy step waiting for the node");
        Assert.Contains("apply by a process about to die", waiting.Retry!.Reason, StringComparison.Ordinal);

        // The holder dies without releasing the lock (kill -9): its lease is no longer renewed, and lapses.
        await held.AbandonAsync();
        var abandoned = DateTimeOffset.UtcNow;
        var deployed = await H.WaitAsync(release.Id, r => r.Step > 0, "the deploy step done once the lock lapsed", seconds: 40);
        Assert.True(deployed.Events.Single(e => e.Action == "deploy done").At - abandoned < TimeSpan.FromSeconds(20));
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded, seconds: 60);
        await AssertStableAsync("epsilon", "v2", port, ["epsilon-v2-1"]);
    }

    [Fact]
    public async Task DeployStep_ImageTheEngineRefuses_FailsTheStepWithTheEnginesReason_AndRollsBack()
    {
        var port = await DeployAsync("delta", replicas: 1, image: DockerFixture.NoCommandImage);
        var release = await H.StartAsync("delta", "v2");

        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack, seconds: 60);

        Assert.StartsWith("step 0 (deploy) failed: ", done.RollingBack, StringComparison.Ordinal);
        Assert.Contains("no command specified", done.RollingBack, StringComparison.OrdinalIgnoreCase);
        await AssertStableAsync("delta", "v1", port, ["delta-v1-1"]);
    }

    /// <summary>What a release's end promises: the version is stable in the documents, takes all traffic, and alone runs.</summary>
    private async Task AssertStableAsync(string service, string version, int port, string[] containers)
    {
        var stored = (MeshService)(await H.Documents.GetAsync(DocumentKind.Service, service, default))!;
        var rule = (Core.Networking.DestinationRule)(await H.Documents.GetAsync(DocumentKind.DestinationRule, service, default))!;
        Assert.Equal(version, stored.Spec.Deploy!.StableVersion);
        Assert.Equal(version, rule.Spec.Subsets.Single(s => s.Name == "stable").Labels["version"]);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync(service));
        Assert.Equal(containers, (await ContainersAsync()).Order(StringComparer.Ordinal));
        Assert.Equal($"{service} {version}", await GetAsync(port));
    }

    /// <summary>A deployed service at stable v1 running on the node, and its workflow: deploy, 50%, analysis, promote.</summary>
    private async Task<int> DeployAsync(string service, int replicas, string image = DockerFixture.WebImage)
    {
        // Every replica's port, and the canary's 100 higher, must be free: with host networking they bind on this machine.
        var port = LoopbackPort.FreeRun(replicas, ComposePlanner.CanaryPortOffset);
        await H.ApplyAsync($$"""
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: {{service}}}
            spec:
              protocol: http
              port: {{port}}
              deploy:
                image: {{image}}
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
        var deployed = (MeshNode)(await H.Documents.GetAsync(DocumentKind.Node, _node, default))!;
        Assert.Equal($"unix://{Socket}", deployed.Spec.DockerEndpoint);
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
        try
        {
            await RegisterUntilAsync(registry, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The test is over; a registration stopped half way lapses with its lease.
        }
    }

    private async Task RegisterUntilAsync(InstanceRegistry registry, CancellationToken stop)
    {
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
