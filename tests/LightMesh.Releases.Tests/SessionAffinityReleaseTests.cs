using Envoy.Config.Core.V3;
using Envoy.Config.Route.V3;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;
using LightMesh.Testing;
using LightMesh.Xds.Translation;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A release of a workflow with <c>sessionAffinity</c> against a real etcd and control plane: from its first weight, the
/// canary's answers set the release's cookie and a route of its own sends the cookie's holders to the canary, both ACKed
/// by a proxy; a user's apply keeps them; promotion and rollback remove them, and the user's own routes are the same as
/// before, byte for byte.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class SessionAffinityReleaseTests(EtcdFixture etcd) : ReleaseRoutesTestBase(etcd, Steps, "  sessionAffinity: {cookieName: lm-canary, maxAge: 1h}")
{
    private const string Steps = """
          - deploy: {}
          - setWeight: 20
          - pause: {}
          - promote: {}
        """;

    [Fact]
    public async Task TheCanarySetsTheCookie_ItsHoldersReachTheCanary_AtTheProxy_AndPromotionRemovesBoth()
    {
        var userRoutes = await StartAsync("alpha");
        var release = await H.StartAsync("alpha", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);

        var value = ReleaseTraffic.SessionCookieValue(release);
        var routes = await RoutesAsync("alpha");
        Assert.Equal(["lightmesh-release-session-affinity", "debug", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(routes.Spec.Http[1]));
        Assert.Equal($"lm-canary={value}; Max-Age=3600; Path=/", ReleaseTraffic.CanaryHeaders(routes)!.Response!.Add["set-cookie"]);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 80, ["canary"] = 20 }, await H.WeightsAsync("alpha"));
        var view = ReleaseView.From((await H.Releases.GetAsync(release.Id, default))!);
        Assert.Equal("cookie lm-canary: a caller the canary answered stays on it (max age 1h)", ReleaseText.Describe(view.SessionAffinity!));

        // What a proxy of alpha gets: the cookie's route first, to the canary's cluster; the canary's share of the default
        // route adds the cookie to its answers, the stable's adds nothing.
        await using (var proxy = await H.ProxyAsync("proxy-alpha"))
        {
            var got = await proxy.SubscribeLikeGrpcAsync("alpha:8080", "8080", "outbound|8080|stable|alpha", "outbound|8080|canary|alpha");
            var host = got[TypeUrls.Route].Resources.Single().Unpack<RouteConfiguration>().VirtualHosts.Single(h => h.Name == "alpha:8080");
            var sticky = host.Routes[0];
            Assert.Equal("cookie", sticky.Match.Headers.Single().Name);
            Assert.Contains(value, sticky.Match.Headers.Single().StringMatch.SafeRegex.Regex, StringComparison.Ordinal);
            Assert.Equal("outbound|8080|canary|alpha", sticky.Route_.Cluster);
            Assert.Equal("x-debug", host.Routes[1].Match.Headers.Single().Name);
            var clusters = host.Routes[2].Route_.WeightedClusters.Clusters;
            Assert.Equal([("outbound|8080|stable|alpha", 80u, 0), ("outbound|8080|canary|alpha", 20u, 1)], clusters.Select(c => (c.Name, c.Weight.GetValueOrDefault(), c.ResponseHeadersToAdd.Count)));
            var cookie = clusters[1].ResponseHeadersToAdd.Single();
            Assert.Equal(("set-cookie", $"lm-canary={value}; Max-Age=3600; Path=/", HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd), (cookie.Header.Key, cookie.Header.Value, cookie.AppendAction));
        }

        await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "ops", default);
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        var after = await RoutesAsync("alpha");
        Assert.Equal(["debug", "primary"], after.Spec.Http.Select(r => r.Name));
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(after.Spec.Http[0]));
        Assert.All(after.Spec.Http.SelectMany(r => r.Route), d => Assert.Null(d.Headers));
        Assert.Null(ReleaseView.From(done).SessionAffinity);
    }

    [Fact]
    public async Task AUsersApplyKeepsTheCookie_AndAbortRemovesIt()
    {
        var userRoutes = await StartAsync("beta");
        var release = await H.StartAsync("beta", "v2");
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);
        var stored = await RoutesAsync("beta");

        // The user applies their VirtualService again, without the release's route or cookie (and with its weights, as
        // they are the release's): the release keeps both.
        await H.ApplyAsync(UserRoutesYaml("beta", canaryWeight: 20));
        var kept = await RoutesAsync("beta");
        Assert.Equal(["lightmesh-release-session-affinity", "debug", "primary"], kept.Spec.Http.Select(r => r.Name));
        Assert.Equal(ReleaseTraffic.CanaryHeaders(stored), ReleaseTraffic.CanaryHeaders(kept));

        await H.Releases.ActAsync(release.Id, OperatorAction.Abort, "ops", default);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Aborted);

        var after = await RoutesAsync("beta");
        Assert.Equal(["debug", "primary"], after.Spec.Http.Select(r => r.Name));
        Assert.Equal(Json(userRoutes.Spec.Http[0]), Json(after.Spec.Http[0]));
        Assert.Null(ReleaseTraffic.CanaryHeaders(after));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("beta"));
    }
}
