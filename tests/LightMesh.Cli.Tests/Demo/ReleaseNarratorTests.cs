using LightMesh.Demo;
using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Cli.Tests.Demo;

public sealed class ReleaseNarratorTests
{
    private static readonly DateTimeOffset Origin = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static ReleaseView Release(IReadOnlyList<ReleaseEvent> events, IReadOnlyList<AnalysisRecord> analyses, int canary = 0) => new(
        "demo-v2-1", "demo", "v2", "v1", "canary-fast", ReleasePhase.Progressing, 2, 12, "setWeight", new WeightsView(100 - canary, canary),
        null, null, null, "lightmesh demo", Origin, null, new Dictionary<string, string>(), events, analyses);

    private static ReleaseEvent Event(int seconds, int step, string action, string reason) =>
        new(Origin.AddSeconds(seconds), step, action, "controller", reason);

    private static Measurement Measured(int seconds, double value, MeasurementPhase phase) =>
        new(Origin.AddSeconds(seconds), [value], phase, "");

    [Fact]
    public void Tell_ReadAgain_TellsEachEventAndMeasurementOnceInTimeOrder()
    {
        var narrator = new ReleaseNarrator(Origin);
        var started = Event(1, 0, "started", "demo v1 -> v2 with canary-fast");
        var first = narrator.Tell(Release([started], []));

        var weighted = Event(5, 2, "setWeight done", "canary 5%");
        var analysis = new AnalysisRecord(4, false, "demo-error-rate", "error-rate", AnalysisPhase.Running, "", [Measured(3, 0.0123, MeasurementPhase.Successful), Measured(4, 0.2, MeasurementPhase.Failed)]);
        var second = narrator.Tell(Release([started, weighted], [analysis], canary: 5));
        var third = narrator.Tell(Release([started, weighted], [analysis], canary: 5));

        Assert.Equal([" 0:01  v2               started          demo v1 -> v2 with canary-fast"], first);
        Assert.Equal(
            [" 0:04  v2   step 5/12   measured         error-rate: 0.0123 0.2  ok FAILED", " 0:05  v2   step 3/12   setWeight done   canary 5%"],
            second);
        Assert.Empty(third);
    }

    [Fact]
    public void Traffic_ShowsTheWeightsAndHowTheCallsWentByVersion()
    {
        var narrator = new ReleaseNarrator(Origin);
        var window = new TrafficWindow(
            new Dictionary<string, VersionCounts> { ["v1"] = new(95, 0), ["v2"] = new(2, 3) }, 0, null);

        var line = narrator.Traffic(Origin.AddSeconds(75), Release([], [], canary: 5), window);

        Assert.Equal(" 1:15  traffic          weights v1 95 / v2 5   calls: v1  95% (0.0% errors)  v2   5% (60.0% errors)", line);
    }

    [Fact]
    public void Traffic_WhilePromoting_SaysSoInsteadOfTheLastWeights()
    {
        var narrator = new ReleaseNarrator(Origin);
        var promoting = Release([], [], canary: 50) with { StepType = "promote" };

        var line = narrator.Traffic(Origin, promoting, new TrafficWindow(new Dictionary<string, VersionCounts> { ["v2"] = new(10, 0) }, 0, null));

        Assert.Equal(" 0:00  traffic          promoting v2   calls: v2 100% (0.0% errors)", line);
    }

    [Fact]
    public void Traffic_NothingAnswered_SaysWhatFailed()
    {
        var narrator = new ReleaseNarrator(Origin);

        var line = narrator.Traffic(Origin, null, new TrafficWindow(new Dictionary<string, VersionCounts>(), 0, null));

        Assert.Equal(" 0:00  traffic          no calls answered", line);
    }

    [Fact]
    public void Tell_SeveralReleasesAndTheirGroup_NamesEachService_AndTellsEachReleaseAndTheGroupOnce()
    {
        var narrator = new ReleaseNarrator(Origin, namesServices: true);
        var payments = Release([Event(1, 0, "started", "payments v1 -> v2 with canary-fast")], []) with { Id = "payments-v2", Service = "payments" };
        var checkout = Release([Event(9, 0, "started", "checkout v1 -> v3 with canary-fast")], []) with { Id = "checkout-v3", Service = "checkout", Version = "v3" };
        var group = new GroupView(
            "shop-1", "shop", GroupPhase.Progressing, "promoted", MemberFailurePolicy.RollbackAll, null, null, null, "lightmesh demo", Origin, null, ["payments"], [],
            [new ReleaseEvent(Origin.AddSeconds(8), 0, "member started", "lightmesh demo", "checkout v3")]);

        var first = narrator.Tell(payments).Concat(narrator.Tell(checkout)).Concat(narrator.Tell(group)).ToList();
        var again = narrator.Tell(payments).Concat(narrator.Tell(checkout)).Concat(narrator.Tell(group)).ToList();

        Assert.Equal(
            [
                " 0:01  payments  v2               started          payments v1 -> v2 with canary-fast",
                " 0:09  checkout  v3               started          checkout v1 -> v3 with canary-fast",
                " 0:08  group shop                 member started   checkout v3",
            ],
            first);
        Assert.Empty(again);
        Assert.Equal(
            " 0:10  traffic payments weights v1 100 / v2 0   calls: v1 100% (0.0% errors)",
            narrator.Traffic(Origin.AddSeconds(10), payments, new TrafficWindow(new Dictionary<string, VersionCounts> { ["v1"] = new(10, 0) }, 0, null), "payments"));
    }
}
