namespace LightMesh.Core.Analysis;

/// <summary>How one measurement came out.</summary>
public enum MeasurementPhase
{
    Successful,
    Failed,
    Inconclusive,

    /// <summary>No answer: Prometheus unreachable, timing out, refusing the query.</summary>
    Error,
}

/// <summary>The phase of a metric, or of a whole analysis run.</summary>
public enum AnalysisPhase
{
    Running,
    Successful,
    Failed,
    Inconclusive,
    Error,
}

/// <summary>One measurement, kept for the release record: when, what came back, and how it was judged.</summary>
public sealed record Measurement(DateTimeOffset At, IReadOnlyList<double> Values, MeasurementPhase Phase, string Message)
{
    /// <summary>The first value, for display; NaN when there was none.</summary>
    public double Value => Values.Count > 0 ? Values[0] : double.NaN;
}

/// <summary>What a Prometheus query gave: values, or why there are none.</summary>
/// <param name="Error">Set when the query could not be answered (unreachable, timeout, HTTP error).</param>
/// <param name="BadQuery">True when Prometheus rejected the query itself; retrying will not help.</param>
/// <param name="Unreachable">True when Prometheus could not be reached or did not answer in time: nothing was learnt of the canary.</param>
public sealed record QueryAnswer(IReadOnlyList<double> Values, string? Error = null, bool BadQuery = false, bool Unreachable = false)
{
    public static QueryAnswer Failure(string error, bool badQuery = false) => new([], error, badQuery);

    public static QueryAnswer NotReached(string error) => new([], error, Unreachable: true);
}
