using LightMesh.Cli.Commands.Release;
using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;
using Spectre.Console;

namespace LightMesh.Cli.Tests;

/// <summary>The progress lines of <c>release status</c>, from a release as the API answers it.</summary>
public sealed class ReleaseProgressTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(80, 20, 16, 4)]
    [InlineData(100, 0, 20, 0)]
    [InlineData(0, 100, 0, 20)]
    [InlineData(99, 1, 19, 1)]
    [InlineData(1, 99, 1, 19)]
    [InlineData(50, 50, 10, 10)]
    public void Cells_Weights_GiveEachSideItsShareAndANonZeroWeightAtLeastOneCell(int stable, int canary, int stableCells, int canaryCells) =>
        Assert.Equal((stableCells, canaryCells), ReleaseProgress.Cells(new WeightsView(stable, canary)));

    [Fact]
    public void Lines_ReleaseWithAnalyses_ShowTheStepTheBarAndTheLatestMeasurementOfEachMetric()
    {
        var release = View(step: 3, canary: 30,
        [
            Record(1, false, "error-rate", AnalysisPhase.Successful, (0.01, MeasurementPhase.Successful), (0.02, MeasurementPhase.Successful)),
            Record(1, false, "latency [p99]", AnalysisPhase.Successful, (0.250, MeasurementPhase.Successful)),
            Record(3, true, "error-rate", AnalysisPhase.Running, (0.07, MeasurementPhase.Failed)),
            Record(3, false, "error-rate", AnalysisPhase.Inconclusive),
        ]);

        var lines = ReleaseProgress.Lines(release).Select(Markup.Remove).ToList();

        Assert.Equal(
            [
                "step      4/5 (analysis)  Progressing",
                "weights   stable 70% ██████████████░░░░░░ canary 30%",
                "analysis  error-rate - Inconclusive  (step 4, errors, analysis Inconclusive)",
                "analysis  latency [p99] 0.25 Successful  (step 2, errors, analysis Successful)",
                "analysis  error-rate 0.07 Failed  (background, errors, analysis Running)",
            ],
            lines);
    }

    [Fact]
    public void Lines_HeaderAndMirrorRoutesAndTheStickyCookieInForce_EachSayWhatGoesToTheCanary()
    {
        var release = View(step: 3, canary: 10, []) with
        {
            HeaderRoutes =
            [
                new SetHeaderRouteStep("beta", [new HeaderRouteMatch("x-user-group", new Core.Networking.StringMatch(Core.Networking.StringMatchKind.Exact, "beta"))]),
                new SetHeaderRouteStep("opted-in", [new HeaderRouteMatch("canary", new Core.Networking.StringMatch(Core.Networking.StringMatchKind.Prefix, "al"), Cookie: true)]),
            ],
            MirrorRoutes =
            [
                new SetMirrorRouteStep("api", 25, [new Core.Networking.HttpMatchRequest { Uri = new(Core.Networking.StringMatchKind.Prefix, "/api"), Headers = new Dictionary<string, Core.Networking.StringMatch> { ["x-a"] = new(Core.Networking.StringMatchKind.Exact, "1") } }]),
                new SetMirrorRouteStep("everything", 50, []),
            ],
            SessionAffinity = new SessionAffinityView("lm-canary", "1h"),
        };

        var lines = ReleaseProgress.Lines(release).Select(Markup.Remove).ToList();

        Assert.Equal(
            [
                "route     header route beta: x-user-group exact beta -> canary",
                "route     header route opted-in: cookie canary prefix al -> canary",
                "route     mirror route api: 25% of uri prefix /api, x-a exact 1, copied to canary",
                "route     mirror route everything: 50% of every request, copied to canary",
                "route     cookie lm-canary: a caller the canary answered stays on it (max age 1h)",
            ],
            lines.Skip(2));
    }

    [Fact]
    public void Lines_CommandWaitingToBeTriedAgain_SayWhyHowOftenAndWhenTheNextTryIs()
    {
        var next = Start.AddSeconds(40);
        var at = next.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var waiting = View(step: 0, canary: 0, []) with
        {
            StepType = "deploy",
            Retry = new StepRetry(0, 3, "node n1 is busy: an apply by host:42 holds it", Start, next),
        };
        var rollingBack = waiting with { RollingBack = "aborted by ops", Rollback = RollbackMove.CanaryRemoved, Retry = waiting.Retry! with { Attempt = 1, Reason = "etcd could not be reached" } };
        var promoting = waiting with { Step = 4, StepType = "promote", Promotion = PromotionMove.NewStableStarted, Retry = null };

        Assert.Equal($"step      1/5 (deploy)  Progressing: retrying: node n1 is busy: an apply by host:42 holds it (3 tries failed; next at {at})", Markup.Remove(ReleaseProgress.Lines(waiting)[0]));
        Assert.Equal($"rolling back (canary removed): aborted by ops; retrying: etcd could not be reached (1 try failed; next at {at})", ReleaseText.Why(rollingBack));
        Assert.Equal("promoting (new stable started)", ReleaseText.Why(promoting));
    }

    [Fact]
    public void Lines_AnalysisThatCouldNotMeasure_SayWhatWhenWhyAndHowTheRunGoesOn()
    {
        var since = Start.AddSeconds(41);
        var at = since.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        const string Error = "Prometheus at http://127.0.0.1:9/ could not be reached: Connection refused (127.0.0.1:9)";
        var measuring = View(step: 2, canary: 20, []) with
        {
            Unmeasured = [new UnmeasuredMetric(2, "demo-error-rate", "error-rate", since, Error, TimeSpan.FromSeconds(30), 4)],
        };
        var tryingAgain = measuring with { Retry = new StepRetry(2, 1, "Prometheus could not be reached for the analysis", Start, Start.AddSeconds(5)) };
        var note = $"analysis: demo-error-rate/error-rate could not measure at {at}: {Error}; measuring again every 30s until more than 4 errors in a row end the run";

        Assert.Equal($"step      3/5 (analysis)  Progressing: {note}", Markup.Remove(ReleaseProgress.Lines(measuring)[0]));
        Assert.Equal(note, ReleaseRows.Row(measuring)[^1]);
        Assert.EndsWith($"next at {Time(Start.AddSeconds(5))}); {note}", ReleaseText.Why(tryingAgain), StringComparison.Ordinal);
        Assert.Equal("", ReleaseText.Why(measuring with { Phase = ReleasePhase.Aborted }));
    }

    [Fact]
    public void Lines_PausedReleaseWithoutAnalyses_SaysWhyAndShowsNoAnalysisLine()
    {
        var release = View(step: 2, canary: 20, []) with { Phase = ReleasePhase.Paused, PausedBecause = "pause step: resume to go on" };

        var lines = ReleaseProgress.Lines(release).Select(Markup.Remove).ToList();

        Assert.Equal(["step      3/5 (analysis)  Paused: pause step: resume to go on", "weights   stable 80% ████████████████░░░░ canary 20%"], lines);
    }

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    private static ReleaseView View(int step, int canary, IReadOnlyList<AnalysisRecord> analyses) => new(
        "svc-v2-1", "svc", "v2", "v1", "canary", ReleasePhase.Progressing, step, 5, "analysis", new WeightsView(100 - canary, canary),
        null, null, null, "ci", Start, null, new Dictionary<string, string>(), [], analyses);

    private static AnalysisRecord Record(int step, bool background, string metric, AnalysisPhase phase, params (double Value, MeasurementPhase Phase)[] measured) =>
        new(step, background, "errors", metric, phase, "", [.. measured.Select((m, i) => new Measurement(Start.AddSeconds(i), [m.Value], m.Phase, ""))]);
}
