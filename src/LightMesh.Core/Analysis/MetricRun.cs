using System.Globalization;

namespace LightMesh.Core.Analysis;

/// <summary>
/// One metric's measurements and phase. Pure: it is told each answer and says when the metric is decided:
/// Failed after more than <c>failureLimit</c> failures or more than <c>consecutiveErrorLimit</c> errors in a row,
/// Inconclusive after more than <c>inconclusiveLimit</c> inconclusive measurements, Successful once <c>count</c>
/// measurements passed. No data is never a success unless the template's <c>noData</c> says so.
/// </summary>
public sealed class MetricRun
{
    public const int DefaultConsecutiveErrorLimit = 4;

    private readonly List<Measurement> _measurements = [];
    private readonly BoundCondition? _success;
    private readonly BoundCondition? _failure;
    private int _failed;
    private int _inconclusive;
    private int _consecutiveErrors;
    private int _consecutiveUnreachable;

    /// <param name="success">The success condition with the run's arguments bound, or null.</param>
    /// <param name="failure">The failure condition with the run's arguments bound, or null.</param>
    public MetricRun(AnalysisMetric metric, BoundCondition? success, BoundCondition? failure)
    {
        Metric = metric;
        _success = success;
        _failure = failure;
    }

    public AnalysisMetric Metric { get; }
    public IReadOnlyList<Measurement> Measurements => _measurements;
    public AnalysisPhase Phase { get; private set; } = AnalysisPhase.Running;
    public string Message { get; private set; } = "";
    public int Count => Metric.Count ?? 1;

    /// <summary>
    /// True when the metric ended because Prometheus could not be reached, every error in a row: the canary was not
    /// judged, so its release tries the analysis again rather than rolling back.
    /// </summary>
    public bool Unreachable { get; private set; }

    /// <summary>Judges <paramref name="answer"/>, records it, and updates the phase.</summary>
    public Measurement Add(QueryAnswer answer, DateTimeOffset at)
    {
        var measurement = Judge(answer, at);
        _measurements.Add(measurement);
        _consecutiveErrors = measurement.Phase == MeasurementPhase.Error ? _consecutiveErrors + 1 : 0;
        _consecutiveUnreachable = answer.Unreachable ? _consecutiveUnreachable + 1 : 0;
        _failed += measurement.Phase == MeasurementPhase.Failed ? 1 : 0;
        _inconclusive += measurement.Phase == MeasurementPhase.Inconclusive ? 1 : 0;

        var dryRun = Metric.DryRun == true;
        if (answer.BadQuery)
        {
            Decide(dryRun ? AnalysisPhase.Successful : AnalysisPhase.Error, $"Prometheus rejected the query: {answer.Error}");
        }
        else if (_consecutiveErrors > (Metric.ConsecutiveErrorLimit ?? DefaultConsecutiveErrorLimit))
        {
            Unreachable = !dryRun && _consecutiveUnreachable == _consecutiveErrors;
            Decide(dryRun ? AnalysisPhase.Successful : Unreachable ? AnalysisPhase.Error : AnalysisPhase.Failed, $"{_consecutiveErrors} errors in a row: {measurement.Message}");
        }
        else if (_failed > (Metric.FailureLimit ?? 0))
        {
            Decide(dryRun ? AnalysisPhase.Successful : AnalysisPhase.Failed, $"{_failed} failed measurement(s), more than the limit of {Metric.FailureLimit ?? 0}: {measurement.Message}");
        }
        else if (_inconclusive > (Metric.InconclusiveLimit ?? 0))
        {
            Decide(dryRun ? AnalysisPhase.Successful : AnalysisPhase.Inconclusive, $"{_inconclusive} inconclusive measurement(s): {measurement.Message}");
        }
        else if (_measurements.Count(m => m.Phase != MeasurementPhase.Error) >= Count)
        {
            Decide(AnalysisPhase.Successful, $"{_measurements.Count} measurement(s), {_failed} failed");
        }

        return measurement;
    }

    private void Decide(AnalysisPhase phase, string message)
    {
        Phase = phase;
        Message = message;
    }

    private Measurement Judge(QueryAnswer answer, DateTimeOffset at)
    {
        if (answer.Error is not null)
        {
            return new Measurement(at, [], MeasurementPhase.Error, answer.Error);
        }

        if (answer.Values.Count == 0 || answer.Values.All(double.IsNaN))
        {
            var why = answer.Values.Count == 0 ? "no data" : "NaN (no data for the ratio)";
            var isNanTolerant = answer.Values.Count > 0 && (_success?.EvaluateAll(answer.Values) == true);
            return (Metric.NoData ?? NoDataPolicy.Inconclusive, isNanTolerant) switch
            {
                (_, true) => new Measurement(at, answer.Values, MeasurementPhase.Successful, $"{why}; the success condition accepts it"),
                (NoDataPolicy.Pass, _) => new Measurement(at, answer.Values, MeasurementPhase.Successful, $"{why}; noData: pass"),
                (NoDataPolicy.Fail, _) => new Measurement(at, answer.Values, MeasurementPhase.Failed, $"{why}; noData: fail"),
                _ => new Measurement(at, answer.Values, MeasurementPhase.Inconclusive, why),
            };
        }

        var shown = string.Join(", ", answer.Values.Take(5).Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
        if (_failure?.EvaluateAll(answer.Values) == true)
        {
            return new Measurement(at, answer.Values, MeasurementPhase.Failed, $"{shown} meets the failure condition {_failure}");
        }

        if (_success is not null)
        {
            // With both conditions, a value that meets neither cannot be judged (as in Argo Rollouts); with only a
            // success condition, missing it is a failure.
            return (_success.EvaluateAll(answer.Values), _failure is null) switch
            {
                (true, _) => new Measurement(at, answer.Values, MeasurementPhase.Successful, $"{shown} meets {_success}"),
                (false, true) => new Measurement(at, answer.Values, MeasurementPhase.Failed, $"{shown} does not meet {_success}"),
                (false, false) => new Measurement(at, answer.Values, MeasurementPhase.Inconclusive, $"{shown} meets neither {_success} nor the failure condition {_failure}"),
            };
        }

        return new Measurement(at, answer.Values, MeasurementPhase.Successful, _failure is null ? shown : $"{shown} does not meet the failure condition");
    }

    /// <summary>The run's phase from its metrics': any failure fails it, then inconclusive, then error.</summary>
    public static AnalysisPhase Overall(IEnumerable<AnalysisPhase> phases)
    {
        var all = phases.ToList();
        return all.Contains(AnalysisPhase.Failed) ? AnalysisPhase.Failed
            : all.Contains(AnalysisPhase.Inconclusive) ? AnalysisPhase.Inconclusive
            : all.Contains(AnalysisPhase.Error) ? AnalysisPhase.Error
            : all.Contains(AnalysisPhase.Running) ? AnalysisPhase.Running
            : AnalysisPhase.Successful;
    }
}
