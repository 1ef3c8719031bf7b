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

    private static readonly Counter Ended = Metrics.CreateCounter(
        "lightmesh_releases_ended_total", "Releases ended, by phase (Succeeded, RolledBack, Aborted, Failed).", "phase");

    /// <summary>1 while this controller leads and runs releases.</summary>
    public static readonly Gauge Leader = Metrics.CreateGauge("lightmesh_release_engine_leader", "1 while this controller leads the release engine.");

    /// <summary>Counts the transitions a save added to <paramref name="after"/> beyond <paramref name="before"/>'s.</summary>
    public static void Saved(ReleaseState? before, ReleaseState after)
    {
        foreach (var e in after.Events.Skip(before?.Events.Count ?? 0))
        {
            Transitions.WithLabels(e.Action).Inc();
        }

        if (before is null)
        {
            Started.WithLabels(after.Service).Inc();
        }
        else if (!before.IsFinished && after.IsFinished)
        {
            Ended.WithLabels(after.Phase.ToString()).Inc();
        }
    }
}
