using Envoy.Config.Route.V3;
using Envoy.Type.V3;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Xds.Translation;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A release with <c>setMirrorRoute</c> steps against a real etcd and control plane: a matched mirror route goes first, a
/// match-less one just before the default route; both reach a proxy as routes that split like the default route and
/// mirror to the canary's cluster; each <c>setWeight</c> after them moves their weights too; promotion and rollback
/// remove them, and the user's own routes are the same as before, byte for byte.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class MirrorRouteReleaseTests(EtcdFixture etcd) : ReleaseRoutesTestBase(etcd, Steps)
{
    private const string Steps = """
          - deploy: {}
          - setWeight: 20
          - setMirrorRoute: {name: shadow, percentage: 30, match: [{headers: {x-shadow: {exact: '1'}}}]}
          - setMirrorRoute: {name: all, percentage: 10}
          - pause: {}
          - setWeight: 50
          - pause: {}
          - promote: {}
        """;

    [Fact]
    public async Task MirrorRoutes_ReachTheProxy_FollowEachSetWeight_AndPromotionRemovesThem()
    {
        var userRoutes = await StartAsync("gamma");
        var release = await H.StartAsync("gamma", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);

        var routes = await RoutesAsync("gamma");
        Assert.Equal(["lightmesh-release-shadow", "debug", "lightmesh-release-all", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(routes.Spec.Http[1]));
        AssertMirrors(routes, stable: 80, canary: 20);
        Assert.Equal(["shadow", "all"], (await H.Releases.GetAsync(release.Id, default))!.MirrorRoutes.Select(r => r.Name));

        // What a proxy of gamma gets: each mirror route splits like the default route and mirrors its share to the canary.
        await using (var proxy = await H.ProxyAsync("proxy-gamma"))
        {
            var got = await proxy.SubscribeLikeGrpcAsync("gamma:8080", "8080", "outbound|8080|stable|gamma", "outbound|8080|canary|gamma");
            var host = got[TypeUrls.Route].Resources.Single().Unpack<RouteConfiguration>().VirtualHosts.Single(h => h.Name == "gamma:8080");
            Assert.Equal(4, host.Routes.Count);
            Assert.Equal("x-shadow", host.Routes[0].Match.Headers.Single().Name);
            Assert.Equal("x-debug", host.Routes[1].Match.Headers.Single().Name);
            Assert.Empty(host.Routes[2].Match.Headers);
            foreach (var (route, percent) in new[] { (host.Routes[0], 30u), (host.Routes[2], 10u) })
            {
                Assert.Equal([("outbound|8080|stable|gamma", 80u), ("outbound|8080|canary|gamma", 20u)], route.Route_.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight.GetValueOrDefault())));
                var mirror = route.Route_.RequestMirrorPolicies.Single();
                Assert.Equal("outbound|8080|canary|gamma", mirror.Cluster);
                Assert.Equal((percent * 10_000, FractionalPercent.Types.DenominatorType.Million), (mirror.RuntimeFraction.DefaultValue.Numerator, mirror.RuntimeFraction.DefaultValue.Denominator));
            }

            Assert.Empty(host.Routes[3].Route_.RequestMirrorPolicies);
        }

        await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "ops", default);
        await H.WaitAsync(release.Id, r => r.Phase == ReleasePhase.Paused && r.Step == 6, "paused at step 6");
        AssertMirrors(await RoutesAsync("gamma"), stable: 50, canary: 50);

        await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "ops", default);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        var after = await RoutesAsync("gamma");
        Assert.Equal(["debug", "primary"], after.Spec.Http.Select(r => r.Name));
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(after.Spec.Http[0]));
        Assert.Empty((await H.Releases.GetAsync(release.Id, default))!.MirrorRoutes);
    }

    [Fact]
    public async Task MirrorRoutes_AUsersApplyKeepsThem_AndAbortRemovesThem()
    {
        var userRoutes = await StartAsync("delta");
        var release = await H.StartAsync("delta", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);

        // The user applies their VirtualService again, without the release's routes (and with its weights, as they are
        // the release's): the release keeps its routes where they were.
        await H.ApplyAsync(UserRoutesYaml("delta", canaryWeight: 20));
        var kept = await RoutesAsync("delta");
        Assert.Equal(["lightmesh-release-shadow", "debug", "lightmesh-release-all", "primary"], kept.Spec.Http.Select(r => r.Name));
        AssertMirrors(kept, stable: 80, canary: 20);

        await H.Releases.ActAsync(release.Id, OperatorAction.Abort, "ops", default);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Aborted);

        var after = await RoutesAsync("delta");
        Assert.Equal(["debug", "primary"], after.Spec.Http.Select(r => r.Name));
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(after.Spec.Http[0]));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("delta"));
    }

    [Fact]
    public async Task ForcedApplyWithoutThem_PausesTheRelease_AndResumeTakesTheMirrorRoutesBackWithTheWeights()
    {
        await StartAsync("epsilon");
        var release = await H.StartAsync("epsilon", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);

        // An admin forces the user's routes as they were before the release: no mirror route, stable 100%.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ControllerHarness.Token);
        using var content = new StringContent(TestMeshes.VirtualService("epsilon", [TestMeshes.To("epsilon", "stable")]), System.Text.Encoding.UTF8, "application/yaml");
        using var forced = await http.PostAsync(new Uri(H.Api, "api/v1/documents?force=true"), content);
        Assert.Equal(System.Net.HttpStatusCode.OK, forced.StatusCode);
        await H.WaitAsync(release.Id, r => r.RestoringRoutes, "noted the forced write");

        // Resumed, it takes its routes back in one write (the canary at 20%, and both mirror routes with those weights),
        // and the next setWeight moves the mirror routes' weights with the default route's.
        await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "ops", default);
        await H.WaitAsync(release.Id, r => r.Phase == ReleasePhase.Paused && r.Step == 6, "paused at step 6");
        var routes = await RoutesAsync("epsilon");
        Assert.Equal(["lightmesh-release-shadow", "lightmesh-release-all", "primary"], routes.Spec.Http.Select(r => r.Name));
        AssertMirrors(routes, stable: 50, canary: 50);
        Assert.Contains((await H.Releases.GetAsync(release.Id, default))!.Events, e => e.Action == "routes restored");
    }

    /// <summary>Both mirror routes of the workflow split as the default route does, and mirror to the canary subset.</summary>
    private static void AssertMirrors(VirtualService routes, int stable, int canary)
    {
        var mirrors = routes.Spec.Http.Where(r => r.Mirror is not null).ToList();
        Assert.Equal([30d, 10d], mirrors.Select(r => r.MirrorPercentage ?? 0));
        Assert.All(mirrors, r => Assert.Equal(new Destination { Host = routes.Spec.Hosts[0], Subset = "canary" }, r.Mirror));
        Assert.All(routes.Spec.Http.Where(r => r.Name != "debug"), r =>
            Assert.Equal([("stable", stable), ("canary", canary)], r.Route.Select(d => (d.Destination.Subset, d.Weight ?? 0))));
    }
}
