using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Core.Validation;
using LightMesh.Testing;
using static LightMesh.Core.Tests.Releases.ReleaseRouteDocuments;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// <c>setMirrorRoute</c> steps: how they are read and written, where their routes go (a matched one first, a match-less
/// one just before the default route), that a mirror route serves its requests as the default route does and follows
/// its weights, what a user's write may do to them, and the decider's bookkeeping.
/// </summary>
public sealed class MirrorRouteTests
{
    private const string Steps = """
          - deploy: {}
          - setHeaderRoute: {name: beta, match: [{headerName: x-user-group, headerValue: {exact: beta}}]}
          - setMirrorRoute:
              name: api
              percentage: 25
              match:
              - uri: {prefix: /api}
              - headers: {x-mirror: {exact: 'yes'}}
          - setMirrorRoute: {name: everything, percentage: 50}
          - setWeight: 10
          - pause: {}
          - setMirrorRoute: {name: everything}
          - promote: {}
        """;

    private static readonly ReleaseWorkflowSpec Spec = Workflow(Steps);
    private static readonly SetHeaderRouteStep Beta = (SetHeaderRouteStep)Spec.Steps[1];
    private static readonly SetMirrorRouteStep Api = (SetMirrorRouteStep)Spec.Steps[2];
    private static readonly SetMirrorRouteStep Everything = (SetMirrorRouteStep)Spec.Steps[3];

    /// <summary>The user's routes: a debug route, then the default route (split 90/10, with a timeout and retries of its own).</summary>
    private static VirtualService UserRoutes()
    {
        var routes = (VirtualService)Parsed(TestMeshes.VirtualService("checkout",
            [TestMeshes.Match("checkout", "stable", header: "x-debug", value: "1", name: "debug"), TestMeshes.Split("checkout", ("stable", 90), ("canary", 10))]))[0];
        var primary = routes.Spec.Http[1] with { Timeout = new Duration(TimeSpan.FromSeconds(3), "3s"), Retries = new HttpRetry { Attempts = 2 } };
        return routes with { Spec = routes.Spec with { Http = [routes.Spec.Http[0], primary] } };
    }

    private static ReleaseState Release(params ReleaseRouteStep[] routes) =>
        routes.Aggregate(ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Spec, "ci", DateTimeOffset.UnixEpoch).State, ReleaseTraffic.After);

    [Fact]
    public void Parse_WithAndWithoutMatch_AndRemoval_AndWriteReadsBackTheSame()
    {
        Assert.Equal(25, Api.Percentage);
        Assert.Equal(new StringMatch(StringMatchKind.Prefix, "/api"), Api.Match[0].Uri);
        Assert.Equal(new StringMatch(StringMatchKind.Exact, "yes"), Api.Match[1].Headers["x-mirror"]);
        Assert.Empty(Everything.Match);
        Assert.False(Everything.Removes);
        Assert.True(Assert.IsType<SetMirrorRouteStep>(Spec.Steps[6]).Removes);

        AssertReadsBackTheSame(Spec);
    }

    [Fact]
    public void WithReleaseRoutes_MatchedMirrorAfterTheHeaderRoutes_MatchLessOneBeforeTheDefault_EachServedAsTheDefaultRoute()
    {
        var user = UserRoutes();
        var routes = ReleaseTraffic.WithReleaseRoutes(user, Release(Beta, Api, Everything));

        Assert.Equal(["lightmesh-release-beta", "lightmesh-release-api", "debug", "lightmesh-release-everything", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.Same(user.Spec.Http[0], routes.Spec.Http[2]);
        Assert.Same(user.Spec.Http[1], routes.Spec.Http[4]);
        Assert.Equal(4, WeightChange.RouteIndex(routes, null));

        var canary = new Destination { Host = "checkout", Subset = "canary" };
        foreach (var (mirror, step) in new[] { (routes.Spec.Http[1], Api), (routes.Spec.Http[3], Everything) })
        {
            Assert.Equal(step.Match, mirror.Match);
            Assert.Equal(canary, mirror.Mirror);
            Assert.Equal(step.Percentage, mirror.MirrorPercentage);
            Assert.Equal(user.Spec.Http[1] with { Name = mirror.Name, Match = mirror.Match, Mirror = mirror.Mirror, MirrorPercentage = mirror.MirrorPercentage }, mirror);
        }

        AssertValid(routes);

        var ended = ReleaseTraffic.AllToStable(routes);
        Assert.Equal(["debug", "primary"], ended.Spec.Http.Select(r => r.Name));
        Assert.Same(user.Spec.Http[0], ended.Spec.Http[0]);
        Assert.Equal([new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)], WeightChange.Current(ended, null));
    }

    [Fact]
    public void WithCanaryWeight_TheMirrorRoutesFollowTheNewWeights()
    {
        var release = Release(Api, Everything);
        var routes = ReleaseTraffic.WithReleaseRoutes(UserRoutes(), release);

        var weighted = ReleaseTraffic.WithCanaryWeight(routes, release, 40).Updated!;

        Assert.Equal(routes.Spec.Http.Select(r => r.Name), weighted.Spec.Http.Select(r => r.Name));
        foreach (var route in weighted.Spec.Http.Where(r => r.Name != "debug"))
        {
            Assert.Equal([("stable", 60), ("canary", 40)], route.Route.Select(d => (d.Destination.Subset, d.Weight ?? 0)));
        }
    }

    [Fact]
    public void FollowingTheDefaultRoute_ForcedWeights_MoveTheMirrorRoutesToo_AndAVirtualServiceWithoutReleaseRoutesStaysAsItIs()
    {
        var routes = ReleaseTraffic.WithReleaseRoutes(UserRoutes(), Release(Beta, Api, Everything));
        var forced = WeightChange.Apply(routes, null, [new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)]).Updated!;

        var followed = ReleaseTraffic.FollowingTheDefaultRoute(forced);

        Assert.Equal(routes.Spec.Http.Select(r => r.Name), followed.Spec.Http.Select(r => r.Name));
        Assert.All(followed.Spec.Http.Where(r => r.Mirror is not null), r =>
            Assert.Equal([("stable", 100), ("canary", 0)], r.Route.Select(d => (d.Destination.Subset, d.Weight ?? 0))));
        var user = UserRoutes();
        Assert.Same(user, ReleaseTraffic.FollowingTheDefaultRoute(user));
    }

    [Fact]
    public void WithReleaseRoutes_NoDefaultRoute_LeavesTheMirrorRoutesOut_AndNothingElse()
    {
        var matchedOnly = (VirtualService)Parsed(TestMeshes.VirtualService("checkout", [TestMeshes.Match("checkout", "stable", header: "x-debug", value: "1", name: "debug")]))[0];

        var routes = ReleaseTraffic.WithReleaseRoutes(matchedOnly, Release(Beta, Api, Everything));

        Assert.Equal(["lightmesh-release-beta", "debug"], routes.Spec.Http.Select(r => r.Name));
    }

    [Fact]
    public void UsersApply_LeavingTheMirrorRoutesOut_GetsThemBack_WithTheDefaultRouteAsWrittenNow_ChangingOneIsAConflict()
    {
        var user = UserRoutes();
        var stored = ReleaseTraffic.WithReleaseRoutes(user, Release(Beta, Api, Everything));
        var active = new ActiveRelease("checkout", "r1");

        // A new timeout on the default route (the user's field): the mirror routes put back carry it too.
        var retimed = user with { Spec = user.Spec with { Http = [user.Spec.Http[0], user.Spec.Http[1] with { Timeout = new Duration(TimeSpan.FromSeconds(9), "9s") }] } };
        var kept = ManagedRoutes.CheckApply([new SourcedDocument(retimed, "user.yaml")], [stored], [active]);
        Assert.Empty(kept.Conflicts);
        var written = (VirtualService)kept.Documents[0].Document;
        Assert.Equal(stored.Spec.Http.Select(r => r.Name), written.Spec.Http.Select(r => r.Name));
        Assert.All(written.Spec.Http.Where(r => r.Mirror is not null), r => Assert.Equal("9s", r.Timeout?.Text));

        Assert.Empty(ManagedRoutes.CheckApply([new SourcedDocument(stored, "user.yaml")], [stored], [active]).Conflicts);

        var changed = ReleaseTraffic.WithReleaseRoutes(user, Release(Beta, Api, Everything with { Percentage = 100 }));
        var conflict = Assert.Single(ManagedRoutes.CheckApply([new SourcedDocument(changed, "user.yaml")], [stored], [active]).Conflicts);
        Assert.Equal(("r1", "spec.http[lightmesh-release-*]"), (conflict.ReleaseId, conflict.Path));

        // The match-less mirror route first, where it would take the debug route's requests: a conflict.
        var moved = stored with { Spec = stored.Spec with { Http = [stored.Spec.Http[3], .. stored.Spec.Http.Where((_, i) => i != 3)] } };
        Assert.Single(ManagedRoutes.CheckApply([new SourcedDocument(moved, "user.yaml")], [stored], [active]).Conflicts);

        Assert.Single(ManagedRoutes.CheckWeights(stored, "lightmesh-release-everything", [active]));
    }

    [Fact]
    public void Decider_EachStepSetsOrRemovesItsRoute_PromoteCannotSkipOne_AndTheEndLeavesNone()
    {
        var t0 = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Spec, "ci", t0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(0), t0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(1), t0);
        Assert.Equal(new SetReleaseRoute(Api), d.Command);
        Assert.NotNull(ReleaseDecider.Decide(d.State, new OperatorInput(OperatorAction.Promote, "ops"), t0).Refused);

        d = ReleaseDecider.Decide(d.State, new StepSucceeded(2), t0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(3), t0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(4), t0);
        Assert.Equal(["api", "everything"], d.State.MirrorRoutes.Select(r => r.Name));
        Assert.Equal(["beta"], d.State.HeaderRoutes.Select(r => r.Name));
        Assert.Equal(ReleasePhase.Paused, d.State.Phase);

        d = ReleaseDecider.Decide(d.State, new OperatorInput(OperatorAction.Resume, "ops"), t0);
        Assert.Equal(new SetReleaseRoute((ReleaseRouteStep)Spec.Steps[6]), d.Command);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(6), t0);
        Assert.Equal(["api"], d.State.MirrorRoutes.Select(r => r.Name));

        d = Enum.GetValues<PromotionMove>().Aggregate(d, (decision, move) => ReleaseDecider.Decide(decision.State, new PromotionMoved(7, move), t0));
        Assert.Equal(ReleasePhase.Succeeded, d.State.Phase);
        Assert.Empty(d.State.MirrorRoutes);
        Assert.Empty(d.State.HeaderRoutes);
    }
}
