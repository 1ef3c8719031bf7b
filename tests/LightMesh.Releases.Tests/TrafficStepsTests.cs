using LightMesh.Processes;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Publishing;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Core.Validation;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Watching;
using LightMesh.Testing;
using LightMesh.Releases.Steps;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.DependencyInjection;

namespace LightMesh.Releases.Tests;

/// <summary>Traffic steps against a real etcd and an in-process control plane.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class TrafficStepsTests(EtcdFixture etcd) : IAsyncLifetime
{
    private EtcdConnection? _etcd;
    private XdsServer? _server;
    private readonly List<InstanceRegistration> _instances = [];

    private EtcdConnection Etcd => _etcd!;
    private DocumentStore Store => new(Etcd);

    public async Task InitializeAsync()
    {
        _etcd = etcd.Connect(etcd.NewPrefix());
        var service = DocumentParser.Parse("apiVersion: lightmesh.io/v1\nkind: Service\nmetadata: {name: checkout}\nspec: {protocol: grpc, port: 8080}", "s.yaml").Documents;
        await Store.ApplyAsync(service, default);
        var registry = new InstanceRegistry(Etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        foreach (var (version, port) in new[] { ("v1", 9201), ("v2", 9202) })
        {
            _instances.Add((await registry.RegisterAsync(new Instance { Service = "checkout", Id = version, Version = version, Address = "127.0.0.1", Port = port }, TimeSpan.FromSeconds(30), default)).Registration!);
        }

        _server = await XdsServer.StartAsync(Etcd.Options, new XdsServerOptions { Listen = $"127.0.0.1:{LoopbackPort.Free()}", Admin = $"127.0.0.1:{LoopbackPort.Free()}", AllowAnonymous = true }, null, default);
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _etcd?.Dispose();
    }

    private static ReleaseState Release() => ReleaseDecider.Start("r1", "checkout", "v2", "v1", "quick", ((ReleaseWorkflow)DocumentParser.Parse(
        "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: quick}\nspec:\n  steps:\n  - deploy: {}\n  - setWeight: 20\n  - promote: {}\n", "w.yaml").Documents.Single().Document).Spec, "ci", DateTimeOffset.UtcNow).State;

    private TrafficSteps Steps(TimeSpan? timeout = null) => new(Store, _server!.Source, _server.Mesh, timeout ?? TimeSpan.FromSeconds(10), TimeProvider.System);

    private async Task<LeaderTerm> LeadAsync(string who = "controller-1") =>
        (await new LeaderElection(Etcd, "releases", TimeProvider.System).TryLeadAsync(who, TimeSpan.FromSeconds(2), default))!;

    /// <summary>Waits until the control plane has published a snapshot from <paramref name="revision"/> or later.</summary>
    private Task<long> PublishedAsync(long revision) =>
        Poll.UntilAsync(() => Task.FromResult(_server!.Registry.Current.Revision), published => published >= revision, TimeSpan.FromSeconds(10), $"a snapshot from revision {revision}");

    [Fact]
    public async Task PrepareThenSetWeight_WriteTheRules_WithoutWaitingWhenNoProxyUsesTheService()
    {
        await using var leader = await LeadAsync();
        var steps = Steps();

        var prepared = await steps.PrepareAsync(Release(), leader, default);
        var weighted = await steps.SetCanaryWeightAsync(Release(), 20, leader, default);
        var again = await steps.SetCanaryWeightAsync(Release(), 20, leader, default);

        Assert.True(prepared.Succeeded, prepared.Reason);
        Assert.True(weighted.Succeeded, weighted.Reason);
        Assert.True(again.Succeeded, again.Reason);
        var routes = (VirtualService)(await Store.GetAsync(DocumentKind.VirtualService, "checkout", default))!;
        Assert.Equal([new SubsetWeight("stable", 80), new SubsetWeight("canary", 20)], WeightChange.Current(routes, null));

        // No proxy uses the service, so nothing waited for the control plane; it publishes the write all the same.
        Assert.EndsWith("0 proxies converged", weighted.Reason, StringComparison.Ordinal);
        await PublishedAsync(weighted.Revision);
        Assert.Contains("outbound|8080|canary|checkout", _server!.Registry.Current.Clusters.Keys);
    }

    [Fact]
    public async Task SetWeight_ProxyThatNeverAcks_IsNotYetDoneNamingIt()
    {
        await using var leader = await LeadAsync();
        var steps = Steps(TimeSpan.FromMilliseconds(800));
        var prepared = await steps.PrepareAsync(Release(), leader, default);
        Assert.True(prepared.Succeeded);
        await PublishedAsync(prepared.Revision);
        await using var proxy = new AdsTestClient(_server!.Options.ListenEndpoint.Port, "stubborn-proxy");
        await proxy.SubscribeLikeGrpcAsync("checkout:8080", "8080", "outbound|8080|stable|checkout", "outbound|8080|canary|checkout");

        var result = await steps.SetCanaryWeightAsync(Release(), 50, leader, default);

        // Written, but not everywhere: the release tries the step again until its progress deadline.
        Assert.Equal((false, true), (result.Succeeded, result.NotYet));
        Assert.Contains("stubborn-proxy", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetWeight_WhileThisControllerCannotBuildTheSnapshot_IsNotYetDoneSayingSo()
    {
        await using var leader = await LeadAsync();
        var failFrom = long.MaxValue;
        await using var failing = await XdsServer.StartAsync(
            Etcd.Options,
            new XdsServerOptions { Listen = $"127.0.0.1:{LoopbackPort.Free()}", Admin = $"127.0.0.1:{LoopbackPort.Free()}", AllowAnonymous = true, Name = "failing" },
            null,
            services => services.AddSingleton<MeshTranslation>((mesh, previous) =>
                mesh.Revision >= Volatile.Read(ref failFrom) ? throw new InvalidOperationException("a fault in the translation") : MeshTranslator.Translate(mesh, previous)),
            default);
        var steps = new TrafficSteps(Store, failing.Source, failing.Mesh, TimeSpan.FromMilliseconds(800), TimeProvider.System);
        var prepared = await steps.PrepareAsync(Release(), leader, default);
        Assert.True(prepared.Succeeded, prepared.Reason);
        await Poll.UntilAsync(() => Task.FromResult(failing.Registry.Current.Revision), r => r >= prepared.Revision, TimeSpan.FromSeconds(10), "the prepared routes published");
        await using var proxy = new AdsTestClient(failing.Options.ListenEndpoint.Port, "waiting-proxy");
        await proxy.SubscribeLikeGrpcAsync("checkout:8080", "8080", "outbound|8080|stable|checkout", "outbound|8080|canary|checkout");
        Volatile.Write(ref failFrom, prepared.Revision + 1);

        var result = await steps.SetCanaryWeightAsync(Release(), 50, leader, default);

        // The proxy cannot have it, and the step says why: the snapshot with the write could not be built.
        Assert.Equal((false, true), (result.Succeeded, result.NotYet));
        Assert.Contains("waiting-proxy", result.Reason, StringComparison.Ordinal);
        Assert.Matches(@"; this controller could not build its snapshot at revision (\d+): a fault in the translation$", result.Reason);
    }

    [Fact]
    public async Task SetWeight_RoutesNotPrepared_PreparesThemInTheSameWrite()
    {
        await using var leader = await LeadAsync();

        var weighted = await Steps().SetCanaryWeightAsync(Release(), 30, leader, default);

        Assert.True(weighted.Succeeded, weighted.Reason);
        var snapshot = await Store.ReadAsync(default);
        var routes = snapshot.RoutesOf("checkout")!;
        var rule = snapshot.RuleOf("checkout")!;
        Assert.Equal([new SubsetWeight("stable", 70), new SubsetWeight("canary", 30)], WeightChange.Current(routes, null));
        Assert.Equal(["canary", "stable"], rule.Spec.Subsets.Select(s => s.Name).Order());

        // One write: the rule and the routes changed at the step's revision, never split without their subsets.
        Assert.Equal(weighted.Revision, snapshot.Find(DocumentKind.VirtualService, routes.Name)!.ModRevision);
        Assert.Equal(weighted.Revision, snapshot.Find(DocumentKind.DestinationRule, rule.Name)!.ModRevision);
    }

    [Fact]
    public async Task AllToStable_RoutesThatSendNothingToTheCanary_AreNotWrittenAgainButWaitedFor()
    {
        await using var leader = await LeadAsync();
        var steps = Steps();
        Assert.True((await steps.SetCanaryWeightAsync(Release(), 30, leader, default)).Succeeded);
        var first = await steps.AllToStableAsync(Release(), leader, default);

        // As a re-run after a crash between the write and its convergence finds it.
        var again = await steps.AllToStableAsync(Release(), leader, default);

        Assert.True(first.Succeeded, first.Reason);
        Assert.True(again.Succeeded, again.Reason);
        Assert.Equal(first.Revision, again.Revision);
        var routes = (await Store.ReadAsync(default)).RoutesOf("checkout")!;
        Assert.Equal([new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)], WeightChange.Current(routes, null));
    }

    [Fact]
    public async Task SetWeight_DeposedController_IsRefusedAsNotLeader()
    {
        var deposed = await LeadAsync("old");
        Assert.True((await Steps().PrepareAsync(Release(), deposed, default)).Succeeded);
        await deposed.AbandonAsync();
        await using var current = await new LeaderElection(Etcd, "releases", TimeProvider.System).CampaignAsync("new", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        var result = await Steps().SetCanaryWeightAsync(Release(), 50, deposed, default);

        Assert.False(result.Succeeded);
        Assert.True(result.NotLeader);
    }

    /// <summary>
    /// A copy of the documents that stopped at <paramref name="revision"/>, as a control plane's watch that has fallen
    /// behind holds them.
    /// </summary>
    private async Task<EtcdMeshSource> CopyAsOfAsync(long revision)
    {
        var source = new EtcdMeshSource(Etcd, new PrefixWatcher(Etcd, TimeProvider.System, EtcdFixture.Logger<PrefixWatcher>()), EtcdFixture.Logger<EtcdMeshSource>());
        using var stop = new CancellationTokenSource();
        var watching = source.RunAsync(stop.Token);
        Assert.NotNull(await source.DocumentsAsOfAsync(revision, TimeSpan.FromSeconds(10), default));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        return source;
    }

    /// <summary>
    /// Stable-takes-all planned on a copy from before the routes were split finds nothing to send back; it must not take
    /// that on trust, since etcd holds the canary's share.
    /// </summary>
    [Fact]
    public async Task AllToStable_OnACopyFromBeforeTheCanaryHadTraffic_SendsItsShareBackAllTheSame()
    {
        await using var leader = await LeadAsync();
        var stale = await CopyAsOfAsync((await Store.ReadAsync(default)).Revision);
        Assert.True((await Steps().SetCanaryWeightAsync(Release(), 20, leader, default)).Succeeded);

        var result = await new TrafficSteps(Store, stale, _server!.Mesh, TimeSpan.FromSeconds(10), TimeProvider.System).AllToStableAsync(Release(), leader, default);

        Assert.True(result.Succeeded, result.Reason);
        var routes = (await Store.ReadAsync(default)).RoutesOf("checkout")!;
        Assert.Equal([new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)], WeightChange.Current(routes, null));
        Assert.Equal(result.Revision, (await Store.ReadAsync(default)).Find(DocumentKind.VirtualService, routes.Name)!.ModRevision);
    }

    /// <summary>A weight planned on a copy that misses a user's later change conflicts, and is written on what etcd holds, keeping that change.</summary>
    [Fact]
    public async Task SetWeight_OnACopyThatMissesAUsersChange_IsWrittenOnWhatEtcdHolds()
    {
        await using var leader = await LeadAsync();
        Assert.True((await Steps().SetCanaryWeightAsync(Release(), 20, leader, default)).Succeeded);
        var read = await Store.ReadAsync(default);
        var stale = await CopyAsOfAsync(read.Revision);
        var routes = read.RoutesOf("checkout")!;
        var timed = routes with { Spec = routes.Spec with { Http = [routes.Spec.Http[^1] with { Timeout = Duration.Of(TimeSpan.FromSeconds(5)) }] } };
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync([new SourcedDocument(timed, "user")], default)).Outcome);

        var result = await new TrafficSteps(Store, stale, _server!.Mesh, TimeSpan.FromSeconds(10), TimeProvider.System).SetCanaryWeightAsync(Release(), 50, leader, default);

        Assert.True(result.Succeeded, result.Reason);
        var written = (await Store.ReadAsync(default)).RoutesOf("checkout")!;
        Assert.Equal([new SubsetWeight("stable", 50), new SubsetWeight("canary", 50)], WeightChange.Current(written, null));
        Assert.Equal(Duration.Of(TimeSpan.FromSeconds(5)), written.Spec.Http[^1].Timeout);
    }
}
