namespace LightMesh.Core.Analysis;

/// <summary>One measurement of a metric as its run takes it, with the metric's phase after it: Running while the run measures on.</summary>
public sealed record MetricMeasured(AnalysisMetric Metric, Measurement Measurement, AnalysisPhase Phase);
