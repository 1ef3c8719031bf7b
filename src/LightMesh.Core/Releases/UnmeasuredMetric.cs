using LightMesh.Core.Analysis;

namespace LightMesh.Core.Releases;

/// <summary>
/// A metric of the analysis step a release is running that could not be measured (Prometheus unreachable, a query it
/// does not answer) and is measured again: since when, why, how often, and how many errors in a row its run bears
/// (<c>consecutiveErrorLimit</c>) before it ends in error. The release's status shows it while the run goes on, which
/// can take minutes, instead of only when the run ends.
/// </summary>
public sealed record UnmeasuredMetric(int Step, string Template, string Metric, DateTimeOffset Since, string Error, TimeSpan Interval, int ErrorLimit)
{
    /// <summary>
    /// The metrics noted once <paramref name="measured"/> is known: a metric's first error in a row is noted while its run
    /// measures on (an error that ends the run is the run's outcome, which the decider hears); a measurement that is not
    /// an error takes the metric's note away. <paramref name="noted"/> itself when nothing changes.
    /// </summary>
    public static IReadOnlyList<UnmeasuredMetric> After(IReadOnlyList<UnmeasuredMetric> noted, int step, string template, MetricMeasured measured)
    {
        var metric = measured.Metric;
        var at = -1;
        for (var i = 0; i < noted.Count && at < 0; i++)
        {
            at = noted[i].Template == template && noted[i].Metric == metric.Name ? i : -1;
        }

        if (measured.Measurement.Phase != MeasurementPhase.Error)
        {
            return at < 0 ? noted : [.. noted.Where((_, i) => i != at)];
        }

        if (at >= 0 || measured.Phase != AnalysisPhase.Running)
        {
            return noted;
        }

        var interval = (metric.Interval ?? AnalysisMetric.DefaultInterval).Value;
        var limit = metric.ConsecutiveErrorLimit ?? MetricRun.DefaultConsecutiveErrorLimit;
        return [.. noted, new UnmeasuredMetric(step, template, metric.Name, measured.Measurement.At, measured.Measurement.Message, interval, limit)];
    }
}
