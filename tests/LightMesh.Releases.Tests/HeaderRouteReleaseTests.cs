using Envoy.Config.Route.V3;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Xds.Translation;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A release with a <c>setHeaderRoute</c> step against a real etcd and control plane: its route is written first in the
/// service's VirtualService and reaches a proxy as the first route of the virtual host; promotion and rollback remove
/// it, and the user's own routes are the same as before, byte for byte.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class HeaderRouteReleaseTests(EtcdFixture etcd) : ReleaseRoutesTestBase(etcd, Steps)
{
    private const string Steps = """
          - deploy: {}
          - setWeight: 20
          - setHeaderRoute: {name: beta, match: [{headerName: x-user-group, headerValue: {exact: beta}}]}
          - pause: {}
          - promote: {}
        """;

    [Fact]
    public async Task HeaderRoute_GoesFirstAndReachesTheProxy_AndPromotionRemovesIt()
    {
        var userRoutes = await StartAsync("alpha");
        var release = await H.StartAsync("alpha", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);

        var routes = await RoutesAsync("alpha");
        Assert.Equal(["lightmesh-release-beta", "debug", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.Equal(new StringMatch(StringMatchKind.Exact, "beta"), routes.Spec.Http[0].Match.Single().Headers["x-user-group"]);
        Assert.Equal("canary", routes.Spec.Http[0].Route.Single().Destination.Subset);
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(routes.Spec.Http[1]));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 80, ["canary"] = 20 }, await H.WeightsAsync("alpha"));
        var kept = (await H.Releases.GetAsync(release.Id, default))!.HeaderRoutes.Single();
        Assert.Equal("header route beta: x-user-group exact beta", Host.Api.ReleaseText.Describe(kept));
        Assert.Equal(("beta", "x-user-group", "beta"), (kept.Name, kept.Match.Single().Name, kept.Match.Single().Value.Value));

        // What a proxy of alpha gets: the header route first, to the canary's cluster, then the user's.
        await using (var proxy = await H.ProxyAsync("proxy-alpha"))
        {
            var got = await proxy.SubscribeLikeGrpcAsync("alpha:8080", "8080", "outbound|8080|stable|alpha", "outbound|8080|canary|alpha");
            var host = got[TypeUrls.Route].Resources.Single().Unpack<RouteConfiguration>().VirtualHosts.Single(h => h.Name == "alpha:8080");
            Assert.Equal("x-user-group", host.Routes[0].Match.Headers.Single().Name);
            Assert.Equal("beta", host.Routes[0].Match.Headers.Single().StringMatch.Exact);
            Assert.Equal("outbound|8080|canary|alpha", host.Routes[0].Route_.Cluster);
            Assert.Equal("x-debug", host.Routes[1].Match.Headers.Single().Name);
        }

        await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "ops", default);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        var after = await RoutesAsync("alpha");
        Assert.Equal(["debug", "primary"], after.Spec.Http.Select(r => r.Name));
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(after.Spec.Http[0]));
        Assert.Empty((await H.Releases.GetAsync(release.Id, default))!.HeaderRoutes);
    }

    [Fact]
    public async Task HeaderRoute_AbortRemovesIt_AndAUsersApplyMeanwhileKeepsIt()
    {
        var userRoutes = await StartAsync("beta");
        var release = await H.StartAsync("beta", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);

        // The user applies their VirtualService again, without the release's route (and with its weights, as they are
        // the release's): the release keeps its route, first.
        await H.ApplyAsync(UserRoutesYaml("beta", canaryWeight: 20));
        Assert.Equal(["lightmesh-release-beta", "debug", "primary"], (await RoutesAsync("beta")).Spec.Http.Select(r => r.Name));

        await H.Releases.ActAsync(release.Id, OperatorAction.Abort, "ops", default);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Aborted);

        var after = await RoutesAsync("beta");
        Assert.Equal(["debug", "primary"], after.Spec.Http.Select(r => r.Name));
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(after.Spec.Http[0]));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("beta"));
    }
}
