using Envoy.Config.Endpoint.V3;
using LightMesh.Processes;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Reports;
using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// Two control planes on one etcd, a proxy on each: a weight change has converged only when both proxies ACKed it, a
/// wait that times out names the lagging proxy and its controller, and a controller whose report is gone leaves its
/// proxies unknown until they show up on another.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class MeshProxiesTests(EtcdFixture etcd)
{
    private const string V1 = "outbound|8080|v1|checkout";
    private const string V2 = "outbound|8080|v2|checkout";
    private static readonly TimeSpan Reach = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AWeightChange_ConvergesOnlyOnceTheProxiesOnEveryControllerAckedIt_AndATimeoutNamesTheLaggingOneAndItsController()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await using var second = await harness.StartAnotherServerAsync("second");
        await harness.RegisterAsync("checkout", "v1", LoopbackPort.Free());
        await harness.RegisterAsync("checkout", "v2", LoopbackPort.Free());
        await WaitForEndpointsAsync(harness.Server, 2);
        await WaitForEndpointsAsync(second, 2);
        await using var onFirst = new AdsTestClient(harness.XdsPort, "proxy-first");
        await using var onSecond = new AdsTestClient(second.Options.ListenEndpoint.Port, "proxy-second");
        await onFirst.SubscribeLikeGrpcAsync("checkout:8080", "8080", V1, V2);
        await onSecond.SubscribeLikeGrpcAsync("checkout:8080", "8080", V1, V2);
        await Poll.UntilAsync(() => Task.FromResult(harness.Server.Mesh.Status()), s => s.Proxies.Count == 2, Reach, "the first controller to read the second's report");

        var revision = await harness.SetWeightsAsync(50, 50);
        await onFirst.AckAsync(await onFirst.ReceiveAsync(), "8080");
        var pushedToSecond = await onSecond.ReceiveAsync();
        var timedOut = await harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", TimeSpan.FromSeconds(1.5), default);
        var waiting = harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", Reach, default);
        await onSecond.AckAsync(pushedToSecond, "8080");
        var converged = await waiting;

        Assert.False(timedOut.Converged);
        var lagging = Assert.Single(timedOut.Lagging);
        Assert.Equal(("proxy-second", "second", false), (lagging.NodeId, lagging.Controller, lagging.Unknown));
        Assert.True(lagging.ConvergedRevision < revision);
        Assert.True(converged.Converged, string.Join(", ", converged.Lagging));
        Assert.Equal(2, converged.Proxies);
        var status = second.Mesh.Status();
        Assert.Equal([("first", ControllerState.Reporting), ("second", ControllerState.This)], status.Controllers.Select(c => (c.Name, c.State)).OrderBy(c => c.Name));
        Assert.Equal([("first", "proxy-first"), ("second", "proxy-second")], status.Proxies.Select(p => (p.Controller, p.NodeId)).OrderBy(p => p.Controller));
    }

    [Fact]
    public async Task AControllerWhoseReportIsGone_LeavesItsProxiesUnknownUntilTheyShowUpOnAnother()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await harness.RegisterAsync("checkout", "v1", LoopbackPort.Free());
        await harness.RegisterAsync("checkout", "v2", LoopbackPort.Free());
        await WaitForEndpointsAsync(harness.Server, 2);

        // Another controller's report, under its lease, of a proxy that has not taken the change below.
        var revision = await harness.SetWeightsAsync(0, 100);
        var key = harness.Etcd.Keys.ControlPlane("elsewhere");
        var report = new ControllerReport("elsewhere", "127.0.0.1:1", revision, revision, DateTimeOffset.UtcNow, [new ReportedProxy("proxy-moving", "ads-9", "test", revision - 1, ["checkout"])]);
        var lease = (await harness.Etcd.LeaseGrantAsync(TimeSpan.FromSeconds(30), default)).ID;
        Assert.True((await new Etcd.GuardedTxn().Absent(key).Put(key, report.ToJson(), lease).CommitAsync(harness.Etcd, default)).Succeeded);
        await Poll.UntilAsync(() => Task.FromResult(harness.Server.Mesh.Status()), s => s.Proxies.Count == 1, Reach, "the controller to read the other's report");
        var behind = await harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", TimeSpan.FromMilliseconds(300), default);

        // Its lease ends (it died, froze, or lost etcd): nothing tells what the proxy holds now.
        await harness.Etcd.LeaseRevokeAsync(lease, default);
        await Poll.UntilAsync(
            () => Task.FromResult(harness.Server.Mesh.Status()), s => s.Controllers.Any(c => c is { Name: "elsewhere", State: ControllerState.Gone }), Reach, "the report to go");
        var unknown = await harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", TimeSpan.FromMilliseconds(300), default);
        var shown = harness.Server.Mesh.Status();

        // It connects to this controller, which answers for it from then on.
        await using var moved = new AdsTestClient(harness.XdsPort, "proxy-moving");
        await moved.SubscribeLikeGrpcAsync("checkout:8080", "8080", V1, V2);
        var converged = await harness.Server.Mesh.WaitForConvergenceAsync(revision, "checkout", Reach, default);

        Assert.Equal(new Ads.LaggingProxy("proxy-moving", "ads-9", revision - 1, "elsewhere"), Assert.Single(behind.Lagging));
        Assert.False(unknown.Converged);
        Assert.Equal(new Ads.LaggingProxy("proxy-moving", "ads-9", revision - 1, "elsewhere", Unknown: true), Assert.Single(unknown.Lagging));
        Assert.Equal($"proxy-moving on elsewhere (gone since it had {revision - 1})", unknown.Lagging[0].ToString());
        Assert.Equal(("elsewhere", true), shown.Proxies.Select(p => (p.Controller, p.Unknown)).Single());
        Assert.True(converged.Converged, string.Join(", ", converged.Lagging));
        Assert.Equal(1, converged.Proxies);
        Assert.Equal(("first", false), harness.Server.Mesh.Status().Proxies.Select(p => (p.Controller, p.Unknown)).Single());
    }

    /// <summary>A controller with more proxies than one value holds as JSON writes its report compressed; the others read it.</summary>
    [Fact]
    public async Task ACompressedReport_IsReadLikeAJsonOne()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        var key = harness.Etcd.Keys.ControlPlane("crowded");
        var report = new ControllerReport("crowded", "127.0.0.1:1", 1, 1, DateTimeOffset.UtcNow, [.. Enumerable.Range(0, 3).Select(i => new ReportedProxy($"proxy-{i}", $"ads-{i}", "test", 1, ["checkout"]))]);
        using var buffer = new MemoryStream();
        var lease = (await harness.Etcd.LeaseGrantAsync(TimeSpan.FromSeconds(30), default)).ID;

        Assert.True((await new Etcd.GuardedTxn().Absent(key).Put(key, ControllerReport.Compress(System.Text.Encoding.UTF8.GetBytes(report.ToJson()), buffer), lease).CommitAsync(harness.Etcd, default)).Succeeded);

        var status = await Poll.UntilAsync(() => Task.FromResult(harness.Server.Mesh.Status()), s => s.Proxies.Count == 3, Reach, "the controller to read the compressed report");
        Assert.Equal(["proxy-0", "proxy-1", "proxy-2"], status.Proxies.Where(p => p.Controller == "crowded").Select(p => p.NodeId).Order(StringComparer.Ordinal));
        await harness.Etcd.LeaseRevokeAsync(lease, default);
    }

    [Fact]
    public async Task AGoneControllersProxies_AreForgottenTwoMinutesAfterItsReportWent()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = Microsoft.Extensions.Options.Options.Create(new XdsServerOptions { Name = "here" });
        var registry = new Ads.ProxyRegistry(time, options, EtcdFixture.Logger<Ads.ProxyRegistry>());
        var watcher = new Etcd.Watching.PrefixWatcher(connection, time, EtcdFixture.Logger<Etcd.Watching.PrefixWatcher>());
        var mesh = new MeshProxies(
            connection, watcher, registry, new Mesh.EtcdMeshSource(connection, watcher, EtcdFixture.Logger<Mesh.EtcdMeshSource>()), options, time, EtcdFixture.Logger<MeshProxies>());
        using var stop = new CancellationTokenSource();
        var watching = mesh.RunAsync(stop.Token);
        var key = connection.Keys.ControlPlane("there");
        var lease = (await connection.LeaseGrantAsync(TimeSpan.FromSeconds(30), default)).ID;
        var report = new ControllerReport("there", "127.0.0.1:1", 1, 1, time.GetUtcNow(), [new ReportedProxy("proxy-there", "ads-1", "test", 1, ["checkout"])]);
        Assert.True((await new Etcd.GuardedTxn().Absent(key).Put(key, report.ToJson(), lease).CommitAsync(connection, default)).Succeeded);
        await Poll.UntilAsync(() => Task.FromResult(mesh.Status()), s => s.Proxies.Count == 1, Reach, "the report to be read");

        await connection.LeaseRevokeAsync(lease, default);
        var gone = await Poll.UntilAsync(() => Task.FromResult(mesh.Status()), s => s.Proxies is [{ Unknown: true }], Reach, "the report to go");
        time.Advance(MeshProxies.GoneKept - TimeSpan.FromSeconds(1));
        var kept = mesh.Status();
        time.Advance(TimeSpan.FromSeconds(2));
        var forgotten = mesh.Status();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);

        Assert.Equal(("there", ControllerState.Gone), gone.Controllers.Where(c => c.Name == "there").Select(c => (c.Name, c.State)).Single());
        Assert.Equal("proxy-there", Assert.Single(kept.Proxies).NodeId);
        Assert.Empty(forgotten.Proxies);
        Assert.Equal(["here"], forgotten.Controllers.Select(c => c.Name));
    }

    private static Task<Xds.Translation.XdsSnapshot> WaitForEndpointsAsync(XdsServer server, int count) =>
        Poll.UntilAsync(
            () => Task.FromResult(server.Registry.Current),
            s => s.Endpoints.Where(e => e.Key.Contains("|v", StringComparison.Ordinal))
                .Sum(e => ((ClusterLoadAssignment)e.Value.Message).Endpoints.Sum(l => l.LbEndpoints.Count)) >= count,
            Reach,
            $"{count} instances in the control plane's snapshot");
}
