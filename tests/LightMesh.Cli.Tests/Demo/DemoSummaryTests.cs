using LightMesh.Demo;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Cli.Tests.Demo;

public sealed class DemoSummaryTests
{
    private static readonly DateTimeOffset Origin = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static ReleaseView Ended(string version, ReleasePhase phase, int startedAt, int endedAt, string? rollingBack = null) => new(
        $"demo-{version}", "demo", version, "v1", "canary-fast", phase, 10, 11, null, new WeightsView(100, 0), null, null, rollingBack, "lightmesh demo",
        Origin.AddSeconds(startedAt), null, new Dictionary<string, string>(),
        [new ReleaseEvent(Origin.AddSeconds(startedAt), 0, "started", "lightmesh demo", ""), new ReleaseEvent(Origin.AddSeconds(endedAt), 10, "ended", "controller", "done")],
        []);

    [Fact]
    public void Lines_HealthyPromotedAndFailingRolledBack_SayHowLongTheBadCanaryTookTraffic()
    {
        var healthy = Ended("v2", ReleasePhase.Succeeded, 40, 158);
        var failing = Ended("v3", ReleasePhase.RolledBack, 158, 170, rollingBack: "error-rate 0.5 does not meet result < 0.05");

        var lines = DemoSummary.Lines(healthy, failing, (Origin.AddSeconds(162), Origin.AddSeconds(169)), new ReleaseNarrator(Origin));

        Assert.True(DemoSummary.AsExpected(healthy, failing));
        Assert.Equal(
            [
                "v2   Succeeded   after 1m58s   promoted to stable after 0 passed analysis metrics",
                "v3   RolledBack  after 0m12s   error-rate 0.5 does not meet result < 0.05",
                "v3 answered its first call at 2:42 and was rolled back at 2:50: 8.0 s of canary traffic (its last call answered at 2:49)",
            ],
            lines);
    }

    [Fact]
    public void AsExpected_FailingVersionPromoted_IsNot()
    {
        Assert.False(DemoSummary.AsExpected(Ended("v2", ReleasePhase.Succeeded, 0, 1), Ended("v3", ReleasePhase.Succeeded, 1, 2)));
    }

    private static ReleaseView Member(string id, string service, string version, string stable, ReleasePhase phase, int startedAt, int endedAt, string? rollingBack = null) =>
        Ended(version, phase, startedAt, endedAt, rollingBack) with { Id = id, Service = service, StableVersion = stable };

    private static GroupRun Group(ReleasePhase checkout, ReleasePhase? paymentsRevert)
    {
        var releases = new List<ReleaseView>
        {
            Member("payments-v2", "payments", "v2", "v1", ReleasePhase.Succeeded, 40, 120),
            Member("checkout-v3", "checkout", "v3", "v1", checkout, 121, 135, rollingBack: "analysis failed: demo-error-rate"),
        };
        if (paymentsRevert is { } phase)
        {
            releases.Add(Member("payments-revert", "payments", "v1", "v2", phase, 136, 141));
        }

        var group = new GroupView(
            "shop-1", "shop", GroupPhase.RolledBack, "promoted", MemberFailurePolicy.RollbackAll, "checkout", "member checkout failed: analysis failed: demo-error-rate", null, "lightmesh demo",
            Origin.AddSeconds(40), Origin.AddSeconds(142), ["payments", "checkout"],
            [
                new GroupMemberView("payments", "v2", [], "payments-v2", ReleasePhase.Succeeded, 10, 0, paymentsRevert is null ? null : "payments-revert", paymentsRevert),
                new GroupMemberView("checkout", "v3", ["payments"], "checkout-v3", checkout, 3, 0, null, null),
            ],
            []);
        return new GroupRun(group, releases.ToDictionary(r => r.Id));
    }

    [Fact]
    public void Lines_GroupRolledBack_SayWhyEachMemberAndTheRevertThatReturnedThePromotedOne()
    {
        var run = Group(ReleasePhase.RolledBack, ReleasePhase.Succeeded);

        var lines = DemoSummary.Lines(run, "checkout", (Origin.AddSeconds(125), Origin.AddSeconds(134)), new ReleaseNarrator(Origin, namesServices: true));

        Assert.True(DemoSummary.AsExpected(run, "checkout"));
        Assert.Equal(
            [
                "group shop RolledBack after 1m42s   member checkout failed: analysis failed: demo-error-rate",
                "  payments  v2   Succeeded   after 1m20s   promoted to stable after 0 passed analysis metrics",
                "  payments  v1   Succeeded   after 0m05s   back from v2 (release payments-revert), since the group rolled back",
                "  checkout  v3   RolledBack  after 0m14s   analysis failed: demo-error-rate",
                "checkout v3 answered its first call at 2:05 and was rolled back at 2:15: 10.0 s of canary traffic (its last call answered at 2:14)",
            ],
            lines);
    }

    [Theory]
    [InlineData(ReleasePhase.RolledBack, null)] // payments was promoted and never returned to v1
    [InlineData(ReleasePhase.RolledBack, ReleasePhase.Progressing)] // its revert has not ended
    public void AsExpected_PromotedMemberNotBackOnItsOldVersion_IsNot(ReleasePhase checkout, ReleasePhase? revert)
    {
        Assert.False(DemoSummary.AsExpected(Group(checkout, revert), "checkout"));
    }

    [Fact]
    public void AsExpected_GroupFailedForAnotherMember_IsNot()
    {
        Assert.False(DemoSummary.AsExpected(Group(ReleasePhase.RolledBack, ReleasePhase.Succeeded), "payments"));
    }
}
