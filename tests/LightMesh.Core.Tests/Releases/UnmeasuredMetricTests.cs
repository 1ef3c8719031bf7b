using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Tests.Releases;

/// <summary>What a release's status says its running analysis could not measure: noted at once, gone once the metric measures again or the release moves on.</summary>
public sealed class UnmeasuredMetricTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly AnalysisMetric ErrorRate = new()
    {
        Name = "error-rate", Query = "q", Interval = Duration.Of(TimeSpan.FromSeconds(10)), ConsecutiveErrorLimit = 3,
    };

    private const string Unreachable = "Prometheus at http://127.0.0.1:9/ could not be reached: Connection refused";

    private static MetricMeasured Error(int second, AnalysisPhase after = AnalysisPhase.Running, AnalysisMetric? metric = null) =>
        new(metric ?? ErrorRate, new Measurement(T0.AddSeconds(second), [], MeasurementPhase.Error, Unreachable), after);

    private static MetricMeasured Value(int second) =>
        new(ErrorRate, new Measurement(T0.AddSeconds(second), [0.01], MeasurementPhase.Successful, "0.01 meets result < 0.05"), AnalysisPhase.Running);

    [Fact]
    public void After_FirstErrorWhileTheRunMeasuresOn_NotesTheMetricWhenWhyAndHowItGoesOn()
    {
        var noted = UnmeasuredMetric.After([], 3, "demo-error-rate", Error(0));

        Assert.Equal([new UnmeasuredMetric(3, "demo-error-rate", "error-rate", T0, Unreachable, TimeSpan.FromSeconds(10), 3)], noted);
    }

    [Fact]
    public void After_MoreErrorsInARow_KeepTheFirstNoteUnchanged()
    {
        IReadOnlyList<UnmeasuredMetric> first = UnmeasuredMetric.After([], 3, "t", Error(0));

        Assert.Same(first, UnmeasuredMetric.After(first, 3, "t", Error(10)));
    }

    [Fact]
    public void After_MeasuredAgain_TakesTheNoteAway_AndANewErrorNotesItAnew()
    {
        var noted = UnmeasuredMetric.After([], 3, "t", Error(0));
        var cleared = UnmeasuredMetric.After(noted, 3, "t", Value(10));
        var again = UnmeasuredMetric.After(cleared, 3, "t", Error(20));

        Assert.Empty(cleared);
        Assert.Equal(T0.AddSeconds(20), Assert.Single(again).Since);
    }

    [Fact]
    public void After_ErrorThatEndsTheRun_NotesNothing_TheOutcomeSaysIt()
    {
        IReadOnlyList<UnmeasuredMetric> none = [];

        Assert.Same(none, UnmeasuredMetric.After(none, 3, "t", Error(0, AnalysisPhase.Error)));
    }

    [Fact]
    public void After_MetricWithoutIntervalOrLimit_NotesTheDefaults()
    {
        var noted = Assert.Single(UnmeasuredMetric.After([], 0, "t", Error(0, metric: new AnalysisMetric { Name = "m", Query = "q" })));

        Assert.Equal((TimeSpan.FromSeconds(30), MetricRun.DefaultConsecutiveErrorLimit), (noted.Interval, noted.ErrorLimit));
    }

    [Fact]
    public void After_TwoTemplatesWithAMetricOfTheSameName_AreNotedApart()
    {
        var noted = UnmeasuredMetric.After(UnmeasuredMetric.After([], 3, "a", Error(0)), 3, "b", Error(1));

        Assert.Equal(["a", "b"], noted.Select(n => n.Template));
        Assert.Equal(["b"], UnmeasuredMetric.After(noted, 3, "a", Value(10)).Select(n => n.Template));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Decide_AnyChangeOfTheRelease_ClearsWhatItsAnalysisCouldNotMeasure(ReleaseInput input)
    {
        var running = AtAnalysis() with { Unmeasured = UnmeasuredMetric.After([], 1, "error-rate", Error(0)) };

        var decided = ReleaseDecider.Decide(running, input, T0.AddSeconds(30));

        Assert.NotSame(running, decided.State);
        Assert.Empty(decided.State.Unmeasured);
    }

    public static TheoryData<ReleaseInput> Inputs() =>
    [
        new AnalysisEnded(1, AnalysisPhase.Successful, "ok"),
        new AnalysisEnded(1, AnalysisPhase.Failed, "error-rate: 0.4 meets result > 0.2"),
        new StepInterrupted(1, Unreachable, T0.AddSeconds(35)),
        new OperatorInput(OperatorAction.Pause, "ops"),
        new OperatorInput(OperatorAction.Abort, "ops"),
        new BackgroundAnalysisFailed("latency: too slow", null),
    ];

    [Fact]
    public void Decide_Refused_KeepsTheNote_TheAnalysisRunsOn()
    {
        var running = AtAnalysis() with { Unmeasured = UnmeasuredMetric.After([], 1, "error-rate", Error(0)) };

        var refused = ReleaseDecider.Decide(running, new OperatorInput(OperatorAction.Approve, "ops"), T0.AddSeconds(30));

        Assert.NotNull(refused.Refused);
        Assert.Same(running, refused.State);
    }

    private static ReleaseState AtAnalysis()
    {
        var spec = ((ReleaseWorkflow)DocumentParser.Parse(
            "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - deploy: {}\n  - analysis: {templates: [error-rate]}\n  - promote: {}\n",
            "w.yaml").Documents.Single().Document).Spec;
        var started = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", spec, "ci", T0);
        var analysing = ReleaseDecider.Decide(started.State, new StepSucceeded(0), T0.AddSeconds(1));
        Assert.IsType<RunAnalysis>(analysing.Command);
        return analysing.State;
    }
}
