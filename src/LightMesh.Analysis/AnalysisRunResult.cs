using LightMesh.Core.Analysis;

namespace LightMesh.Analysis;

/// <summary>One metric's outcome with every measurement it took.</summary>
/// <param name="Unreachable">It ended because Prometheus could not be reached (see <see cref="MetricRun.Unreachable"/>).</param>
public sealed record MetricResult(string Name, AnalysisPhase Phase, string Message, IReadOnlyList<Measurement> Measurements, bool Unreachable = false);

/// <summary>An analysis run's outcome: overall, per metric, and the canary judgement when the template has judged metrics.</summary>
public sealed record AnalysisRunResult(AnalysisPhase Phase, IReadOnlyList<MetricResult> Metrics, JudgeResult? Judgement, string Message)
{
    /// <summary>Nothing was judged because Prometheus could not be reached: no metric failed or was inconclusive, and every error is that.</summary>
    public bool Unreachable => Phase == AnalysisPhase.Error && Metrics.Any(m => m.Unreachable) && Metrics.Where(m => m.Phase == AnalysisPhase.Error).All(m => m.Unreachable);
}
