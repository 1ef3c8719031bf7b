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
}
