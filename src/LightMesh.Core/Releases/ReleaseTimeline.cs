namespace LightMesh.Core.Releases;

/// <summary>Where one step of a release stands.</summary>
public enum StepProgress
{
    /// <summary>Carried out.</summary>
    Done,

    /// <summary>Being carried out now.</summary>
    Running,

    /// <summary>The release is paused on it (an operator, a pause step, an approval, a delivery window).</summary>
    Waiting,

    /// <summary>The release stopped on it: it is rolling back, or ended without succeeding.</summary>
    Stopped,

    /// <summary>Passed over by a full promotion.</summary>
    Skipped,

    /// <summary>Not reached, and never will be (the release ended) or not yet.</summary>
    NotReached,
}

/// <summary>
/// One step of a release as its timeline shows it: where it stands, when it began and ended, and who other than the
/// controller acted on it (paused, resumed, promoted, approved).
/// </summary>
public sealed record StepTimeline(int Index, ReleaseStep Step, StepProgress Progress, DateTimeOffset? Began, DateTimeOffset? Ended, IReadOnlyList<string> Actors)
{
    /// <summary>How long the step took, or has taken so far at <paramref name="now"/>; null for a step not begun.</summary>
    public TimeSpan? Duration(DateTimeOffset now) => Began is { } began ? (Ended ?? now) - began : null;
}

/// <summary>The new version's share of the traffic from <see cref="At"/> on, as the release's events record it.</summary>
public sealed record WeightPoint(DateTimeOffset At, int Weight);

/// <summary>
/// A release's history read from its event log, with no I/O: each step's progress, times and actors, and the canary's
/// weight over time. The events are the record (the decider writes one at every transition), so a release read back
/// from etcd after any crash gives the same timeline.
/// </summary>
public static class ReleaseTimeline
{
    /// <summary>Every step of the release's workflow, in order.</summary>
    public static IReadOnlyList<StepTimeline> Steps(ReleaseState release)
    {
        var steps = new List<StepTimeline>(release.Spec.Steps.Count);
        var end = EndOf(release);
        for (var i = 0; i < release.Spec.Steps.Count; i++)
        {
            var done = release.Events.FirstOrDefault(e => e.Step == i && ReleaseEvents.IsStepDone(e));
            var progress = ProgressOf(release, i, done is not null);
            var began = progress is StepProgress.Skipped or StepProgress.NotReached ? null : BeganOf(release, i);
            var ended = done?.At ?? progress switch
            {
                StepProgress.Done => end,
                StepProgress.Stopped => RollbackBegan(release) ?? end,
                _ => (DateTimeOffset?)null,
            };
            var actors = progress is StepProgress.Skipped or StepProgress.NotReached
                ? []
                : release.Events
                    .Where(e => e.Step == i && e.Actor != ReleaseEvents.Controller && e.Action is not (ReleaseEvents.Started or ReleaseEvents.Retried))
                    .Select(e => e.Actor)
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
            steps.Add(new StepTimeline(i, release.Spec.Steps[i], progress, began, began is null ? null : ended, actors));
        }

        return steps;
    }

    /// <summary>
    /// The canary's weight over time, oldest first: 0 at the start, each <c>setWeight</c> step's weight when it was
    /// done, 100 when the release succeeded (the new version is the stable one, with all traffic), and 0 when it ended
    /// otherwise. No two points share a time: a later event at the same instant wins.
    /// </summary>
    public static IReadOnlyList<WeightPoint> Weights(ReleaseState release)
    {
        var points = new List<WeightPoint> { new(release.StartedAt, 0) };
        foreach (var e in release.Events)
        {
            int? weight = e.Action switch
            {
                _ when ReleaseEvents.IsStepDone(e) && e.Step < release.Spec.Steps.Count && release.Spec.Steps[e.Step] is SetWeightStep w => w.Weight,
                ReleaseEvents.PromotionStep => ReleaseEvents.PromotionStepWeight(e),
                ReleaseEvents.PreviousKept => 100,
                ReleaseEvents.Succeeded => 100,
                ReleaseEvents.RolledBack or ReleaseEvents.Aborted or ReleaseEvents.Failed => 0,
                _ => null,
            };
            if (weight is not { } value)
            {
                continue;
            }

            if (points[^1].At >= e.At)
            {
                points.RemoveAt(points.Count - 1);
            }

            points.Add(new WeightPoint(e.At, value));
        }

        return points;
    }

    /// <summary>When the rollback began, if the release is rolling back or rolled back; its weight is on its way to 0 from then on.</summary>
    public static DateTimeOffset? RollbackBegan(ReleaseState release) =>
        release.RollingBack is null ? null : release.Events.LastOrDefault(e => e.Action == ReleaseEvents.RollingBack)?.At;

    /// <summary>When the release ended; null while it runs.</summary>
    public static DateTimeOffset? EndOf(ReleaseState release) => release.IsFinished ? release.Events[^1].At : null;

    private static StepProgress ProgressOf(ReleaseState release, int index, bool done)
    {
        if (done)
        {
            return StepProgress.Done;
        }

        if (index < release.Step)
        {
            return StepProgress.Skipped;
        }

        if (index > release.Step)
        {
            return release.Phase == ReleasePhase.Succeeded ? StepProgress.Skipped : StepProgress.NotReached;
        }

        return release switch
        {
            { Phase: ReleasePhase.Succeeded } => StepProgress.Done,
            { RollingBack: not null } or { IsFinished: true } => StepProgress.Stopped,
            { Phase: ReleasePhase.Paused } => StepProgress.Waiting,
            _ => StepProgress.Running,
        };
    }

    /// <summary>A step begins when the release starts (the first), when the step before it is done, or when a full promotion jumps to it.</summary>
    private static DateTimeOffset? BeganOf(ReleaseState release, int index) => index == 0
        ? release.StartedAt
        : release.Events.FirstOrDefault(e => (e.Step == index - 1 && ReleaseEvents.IsStepDone(e)) || (e.Step == index && e.Action == ReleaseEvents.PromotedFully))?.At;
}
