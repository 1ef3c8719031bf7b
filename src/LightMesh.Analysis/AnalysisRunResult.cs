using LightMesh.Core.Analysis;

namespace LightMesh.Analysis;

/// <summary>One metric's outcome with every measurement it took.</summary>
public sealed record MetricResult(string Name, AnalysisPhase Phase, string Message, IReadOnlyList<Measurement> Measurements);

/// <summary>An analysis run's outcome: overall, per metric, and the canary judgement when the template has judged metrics.</summary>
public sealed record AnalysisRunResult(AnalysisPhase Phase, IReadOnlyList<MetricResult> Metrics, JudgeResult? Judgement, string Message);
