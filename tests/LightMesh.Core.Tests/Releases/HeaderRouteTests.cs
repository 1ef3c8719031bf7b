using System.Text.RegularExpressions;
using CsCheck;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Testing;
using static LightMesh.Core.Tests.Releases.ReleaseRouteDocuments;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// <c>setHeaderRoute</c> steps: how they are read and written, the routes they put before the user's (and nothing else
/// of the user's touched), what a user's write may do to them while the release runs, and the decider's bookkeeping.
/// </summary>
public sealed class HeaderRouteTests
{
    private const string Steps = """
          - deploy: {}
          - setWeight: 10
          - setHeaderRoute:
              name: beta
              match:
              - {headerName: x-user-group, headerValue: {exact: beta}}
              - {headerName: x-region, headerValue: {regex: 'eu-.*'}}
          - setHeaderRoute:
              name: cookie
              match: [{cookieName: canary, cookieValue: {exact: 'always'}}]
          - pause: {}
          - setHeaderRoute: {name: beta}
          - promote: {}
        """;

    private static readonly SetHeaderRouteStep Beta = new("beta", [new HeaderRouteMatch("x-user-group", new StringMatch(StringMatchKind.Exact, "beta"))]);

    private static VirtualService UserRoutes() => (VirtualService)Parsed(TestMeshes.VirtualService("checkout",
        [TestMeshes.Match("checkout", "stable", header: "x-debug", value: "1", name: "debug"), TestMeshes.Split("checkout", ("stable", 90), ("canary", 10))]))[0];

    [Fact]
    public void Parse_HeaderCookieAndRemoval_AndWriteReadsBackTheSame()
    {
        var spec = Workflow(Steps);

        var beta = Assert.IsType<SetHeaderRouteStep>(spec.Steps[2]);
        Assert.Equal(["x-user-group", "x-region"], beta.Match.Select(m => m.Name));
        Assert.Equal(new StringMatch(StringMatchKind.Regex, "eu-.*"), beta.Match[1].Value);
        Assert.True(Assert.IsType<SetHeaderRouteStep>(spec.Steps[3]).Match.Single().Cookie);
        Assert.True(Assert.IsType<SetHeaderRouteStep>(spec.Steps[5]).Removes);

        AssertReadsBackTheSame(spec);
    }

    [Fact]
    public void WithHeaderRoutes_PutsThemFirst_ToTheCanary_AndKeepsEveryUserRouteAsItWas()
    {
        var user = UserRoutes();
        var spec = Workflow(Steps);
        var routes = ReleaseTraffic.WithReleaseRoutes(user, "checkout", [(SetHeaderRouteStep)spec.Steps[2], (SetHeaderRouteStep)spec.Steps[3]]);

        Assert.Equal(["lightmesh-release-beta", "lightmesh-release-cookie", "debug", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.All(routes.Spec.Http.Take(2), r => Assert.Equal(new Destination { Host = "checkout", Subset = "canary" }, r.Route.Single().Destination));
        var headers = routes.Spec.Http[0].Match.Single().Headers;
        Assert.Equal(new StringMatch(StringMatchKind.Exact, "beta"), headers["x-user-group"]);
        Assert.Equal(new StringMatch(StringMatchKind.Regex, "eu-.*"), headers["x-region"]);
        Assert.Same(user.Spec.Http[0], routes.Spec.Http[2]);
        Assert.Same(user.Spec.Http[1], routes.Spec.Http[3]);

        // The default route is still the user's last, and the written document is valid.
        Assert.Equal(3, WeightChange.RouteIndex(routes, null));
        AssertValid(routes);

        var ended = ReleaseTraffic.AllToStable(routes);
        Assert.Equal(["debug", "primary"], ended.Spec.Http.Select(r => r.Name));
        Assert.Same(user.Spec.Http[0], ended.Spec.Http[0]);
        Assert.Equal([new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)], WeightChange.Current(ended, null));
    }

    [Fact]
    public void AllToStable_DefaultRouteAnAdminWroteWithoutTheCanary_KeepsIt_AndStillRemovesTheHeaderRoutes()
    {
        var forced = (VirtualService)Parsed(TestMeshes.VirtualService("checkout", [TestMeshes.To("checkout", "stable")]))[0];
        var routes = ReleaseTraffic.WithReleaseRoutes(forced, "checkout", [Beta]);

        Assert.False(ReleaseTraffic.IsSplit(routes));
        Assert.True(ReleaseTraffic.HoldsCanary(routes));
        var ended = ReleaseTraffic.AllToStable(routes);
        Assert.Same(forced.Spec.Http.Single(), ended.Spec.Http.Single());
        Assert.False(ReleaseTraffic.HoldsCanary(ended));
    }

    [Theory]
    [InlineData("canary=always", true)]
    [InlineData("a=1; canary=always", true)]
    [InlineData("a=1;canary=always; b=2", true)]
    [InlineData("canary=always2", false)]
    [InlineData("xcanary=always", false)]
    [InlineData("a=canary=always", false)]
    [InlineData("", false)]
    public void CookieCondition_MatchesTheCookieHeaderOnlyWhenThatCookieHasThatValue(string cookieHeader, bool matches)
    {
        var route = ReleaseTraffic.WithReleaseRoutes(UserRoutes(), "checkout", [(SetHeaderRouteStep)Workflow(Steps).Steps[3]]).Spec.Http[0];
        var condition = route.Match.Single().Headers["cookie"];

        Assert.Equal(StringMatchKind.Regex, condition.Kind);
        Assert.Equal(matches, Regex.IsMatch(cookieHeader, condition.Value));
    }

    [Fact]
    public void Re2Escape_AnyText_MatchesExactlyItself() =>
        Gen.String[Gen.Char["ab9.+*?()|[]{}^$\\- =;"], 0, 20].Sample(text =>
            {
                var pattern = $"^{ReleaseTraffic.Re2Escape(text)}$";
                Assert.Matches(pattern, text);
                Assert.DoesNotMatch(pattern, text + "x");
            }, iter: 500);

    [Fact]
    public void UsersApply_LeavingTheHeaderRoutesOut_GetsThemBackFirst_ChangingOneIsAConflict()
    {
        var user = UserRoutes();
        var stored = ReleaseTraffic.WithReleaseRoutes(user, "checkout", [Beta]);
        var release = new ActiveRelease("checkout", "checkout-v2");

        var kept = ManagedRoutes.CheckApply([new SourcedDocument(user, "user.yaml")], [stored], [release]);
        Assert.Empty(kept.Conflicts);
        Assert.Equal(["lightmesh-release-beta", "debug", "primary"], ((VirtualService)kept.Documents[0].Document).Spec.Http.Select(r => r.Name));

        var again = ManagedRoutes.CheckApply([new SourcedDocument(stored, "user.yaml")], [stored], [release]);
        Assert.Empty(again.Conflicts);

        var changed = ReleaseTraffic.WithReleaseRoutes(user, "checkout", [Beta with { Match = [new HeaderRouteMatch("x-user-group", new StringMatch(StringMatchKind.Exact, "gamma"))] }]);
        var conflict = Assert.Single(ManagedRoutes.CheckApply([new SourcedDocument(changed, "user.yaml")], [stored], [release]).Conflicts);
        Assert.Equal(("checkout-v2", "spec.http[lightmesh-release-*]"), (conflict.ReleaseId, conflict.Path));

        var moved = stored with { Spec = stored.Spec with { Http = [stored.Spec.Http[1], stored.Spec.Http[0], stored.Spec.Http[2]] } };
        Assert.Single(ManagedRoutes.CheckApply([new SourcedDocument(moved, "user.yaml")], [stored], [release]).Conflicts);

        Assert.Single(ManagedRoutes.CheckWeights(stored, "lightmesh-release-beta", [release]));
        Assert.Empty(ManagedRoutes.CheckWeights(stored, "debug", [release]));
    }

    [Fact]
    public void Decider_EachStepSetsOrRemovesItsRoute_AndTheEndLeavesNone()
    {
        var t0 = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", Workflow(Steps), "ci", t0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(0), t0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(1), t0);
        Assert.Equal(new SetReleaseRoute((SetHeaderRouteStep)d.State.Spec.Steps[2]), d.Command);

        d = ReleaseDecider.Decide(d.State, new StepSucceeded(2), t0);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(3), t0);
        Assert.Equal(["beta", "cookie"], d.State.HeaderRoutes.Select(r => r.Name));
        Assert.Equal(ReleasePhase.Paused, d.State.Phase);

        d = ReleaseDecider.Decide(d.State, new OperatorInput(OperatorAction.Resume, "ops"), t0);
        Assert.Equal(new SetReleaseRoute((SetHeaderRouteStep)d.State.Spec.Steps[5]), d.Command);
        d = ReleaseDecider.Decide(d.State, new StepSucceeded(5), t0);
        Assert.Equal(["cookie"], d.State.HeaderRoutes.Select(r => r.Name));

        d = Enum.GetValues<PromotionMove>().Aggregate(d, (decision, move) => ReleaseDecider.Decide(decision.State, new PromotionMoved(6, move), t0));
        Assert.Equal(ReleasePhase.Succeeded, d.State.Phase);
        Assert.Empty(d.State.HeaderRoutes);
    }
}
