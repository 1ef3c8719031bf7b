using LightMesh.Core.Releases;
using Prometheus;

namespace LightMesh.Releases.Telemetry;

/// <summary>The release engine's Prometheus metrics: every transition counted, and whether this controller leads.</summary>
public static class ReleaseMetrics
{
    private static readonly Counter Transitions = Metrics.CreateCounter(
        "lightmesh_release_transitions_total", "Release transitions saved to etcd, by action (started, setWeight done, paused, rolling back, ...).", "action");

    private static readonly Counter Started = Metrics.CreateCounter(
        "lightmesh_releases_started_total", "Releases started, by service.", "service");

    // Every phase is published at 0 from the start, so that the first rollback after a controller starts is an
    // increase Prometheus sees (rules.yml alerts on it), not the birth of a series.
    private static readonly Counter Ended = Published(
        Metrics.CreateCounter("lightmesh_releases_ended_total", "Releases ended, by phase (Succeeded, RolledBack, Aborted, Failed).", "phase"),
        Enum.GetValues<ReleasePhase>().Where(p => p is not (ReleasePhase.Progressing or ReleasePhase.Paused)).Select(p => p.ToString()));

    private static readonly Gauge CanaryWeight = Metrics.CreateGauge(
        "lightmesh_release_canary_weight", "The canary's weight (percent) the service's active release has set; 0 once it ends.", "service");

    private static readonly Histogram StepDuration = Metrics.CreateHistogram(
        "lightmesh_release_step_duration_seconds", "Time from entering a release step until it was done, by step type.",
        new HistogramConfiguration { LabelNames = ["step"], Buckets = [.1, .5, 1, 5, 15, 60, 300, 900, 3600] });

    private static readonly Gauge Measurement = Metrics.CreateGauge(
        "lightmesh_release_analysis_value", "The last value an analysis of a release measured, by service, template and metric.", "service", "template", "metric");

    private static readonly Counter Outcomes = Metrics.CreateCounter(
        "lightmesh_release_analysis_outcomes_total", "Analysis metrics of releases, counted as each ended, by service, template, metric and phase (Successful, Failed, Inconclusive, Error).",
        "service", "template", "metric", "phase");

    private static readonly Gauge Phases = Metrics.CreateGauge(
        "lightmesh_releases", "Releases stored, by phase; reported by the leading controller only.", "phase");

    private static readonly Gauge HistoryKeys = Metrics.CreateGauge(
        "lightmesh_release_history_keys", "Keys the release history holds after retention, by kind (releases, analyses: one per analysis run); reported by the leading controller only.", "kind");

    /// <summary>Sets the releases-by-phase gauge from the phase of every stored release.</summary>
    public static void CountPhases(IEnumerable<ReleasePhase> releases) => CountByPhase(Phases, releases);

    /// <summary>A controller that stops leading stops reporting phases, so a sum over controllers counts each release once.</summary>
    public static void ForgetPhases() => ForgetByPhase<ReleasePhase>(Phases);

    private static readonly Gauge GroupPhases = Metrics.CreateGauge(
        "lightmesh_release_groups", "Group releases stored, by phase (Progressing, RollingBack, Succeeded, RolledBack); reported by the leading controller only.", "phase");

    /// <summary>Sets the group-releases-by-phase gauge from the phase of every stored group.</summary>
    public static void CountGroupPhases(IEnumerable<GroupPhase> groups) => CountByPhase(GroupPhases, groups);

    /// <summary>Like <see cref="ForgetPhases"/>, for the groups.</summary>
    public static void ForgetGroupPhases() => ForgetByPhase<GroupPhase>(GroupPhases);

    /// <summary>Sets <paramref name="gauge"/> to how many of <paramref name="items"/> are in each phase, every phase of <typeparamref name="TPhase"/> (0 when none).</summary>
    private static void CountByPhase<TPhase>(Gauge gauge, IEnumerable<TPhase> items) where TPhase : struct, Enum
    {
        var counts = items.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        foreach (var phase in Enum.GetValues<TPhase>())
        {
            gauge.WithLabels(phase.ToString()).Set(counts.GetValueOrDefault(phase));
        }
    }

    private static void ForgetByPhase<TPhase>(Gauge gauge) where TPhase : struct, Enum
    {
        foreach (var phase in Enum.GetValues<TPhase>())
        {
            gauge.RemoveLabelled(phase.ToString());
        }
    }

    /// <summary>Sets the history gauge: the release keys and analysis-run keys kept.</summary>
    public static void CountHistory(long releases, long analysisRuns)
    {
        HistoryKeys.WithLabels("releases").Set(releases);
        HistoryKeys.WithLabels("analyses").Set(analysisRuns);
    }

    /// <summary>Like <see cref="ForgetPhases"/>: only the leader reports what the history holds.</summary>
    public static void ForgetHistory()
    {
        HistoryKeys.RemoveLabelled("releases");
        HistoryKeys.RemoveLabelled("analyses");
    }

    /// <summary>1 while this controller leads and runs releases.</summary>
    public static readonly Gauge Leader = Metrics.CreateGauge("lightmesh_release_engine_leader", "1 while this controller leads the release engine.");

    /// <summary>Counts the transitions a save added to <paramref name="after"/> beyond <paramref name="before"/>'s.</summary>
    public static void Saved(ReleaseState? before, ReleaseState after)
    {
        var known = before?.Events.Count ?? 0;
        for (var i = known; i < after.Events.Count; i++)
        {
            var e = after.Events[i];
            Transitions.WithLabels(e.Action).Inc();

            // A step began when the one before it was done (or the release started).
            if (ReleaseEvents.IsStepDone(e) && after.Events.Take(i).LastOrDefault(p => p.Action == ReleaseEvents.Started || ReleaseEvents.IsStepDone(p)) is { } began)
            {
                StepDuration.WithLabels(ReleaseEvents.DoneStepType(e)).Observe((e.At - began.At).TotalSeconds);
            }
        }

        foreach (var record in after.Analyses.Skip(before?.Analyses.Count ?? 0))
        {
            Outcomes.WithLabels(after.Service, record.Template, record.Metric, record.Phase.ToString()).Inc();
            if (record.Measurements.Count > 0)
            {
                Measurement.WithLabels(after.Service, record.Template, record.Metric).Set(record.Measurements[^1].Value);
            }
        }

        CanaryWeight.WithLabels(after.Service).Set(after.IsFinished ? 0 : after.CanaryWeight);

        if (before is null)
        {
            Started.WithLabels(after.Service).Inc();
        }
        else if (!before.IsFinished && after.IsFinished)
        {
            Ended.WithLabels(after.Phase.ToString()).Inc();
        }
    }

    private static Counter Published(Counter counter, IEnumerable<string> labels)
    {
        foreach (var label in labels)
        {
            counter.WithLabels(label);
        }

        return counter;
    }
}
