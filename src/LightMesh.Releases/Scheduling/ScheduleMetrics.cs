using Prometheus;

namespace LightMesh.Releases.Scheduling;

/// <summary>How schedules fired: started a release, skipped, or refused.</summary>
public static class ScheduleMetrics
{
    private static readonly Counter Firings = Metrics.CreateCounter(
        "lightmesh_schedule_firings_total", "Schedule firings acted on, by schedule and outcome (started, skipped, refused).", "schedule", "outcome");

    public static void Count(string schedule, string outcome) => Firings.WithLabels(schedule, outcome).Inc();
}
