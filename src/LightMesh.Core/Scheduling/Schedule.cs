using LightMesh.Core.Documents;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Scheduling;

/// <summary>
/// A release started by the clock (<c>kind: Schedule</c>): on a Quartz cron in a time zone, or once at a given time.
/// It releases a fixed version, or the newest version CI announced for the service; or, with <c>group</c>, a group
/// release of a ReleaseGroupWorkflow, each member at its pinned version or its newest announced one.
/// </summary>
public sealed record Schedule : Document
{
    public override DocumentKind Kind => DocumentKind.Schedule;
    public required ScheduleSpec Spec { get; init; }
}

/// <summary>The <c>spec</c> of a <see cref="Schedule"/>.</summary>
public sealed record ScheduleSpec
{
    public const string DefaultWorkflow = "canary";

    /// <summary>How late a firing may still start a release (the controller was down at the time); later ones are skipped.</summary>
    public static readonly TimeSpan DefaultStartingDeadline = TimeSpan.FromHours(1);

    /// <summary>The service it releases; exactly one of this and <see cref="Group"/>.</summary>
    public string? Service { get; init; }

    public string? Workflow { get; init; }

    /// <summary>The ReleaseGroupWorkflow whose group release it starts; exactly one of this and <see cref="Service"/>.</summary>
    public string? Group { get; init; }

    /// <summary>With <see cref="Group"/>: the members' versions it pins, by service; the others get their newest announced one.</summary>
    public IReadOnlyDictionary<string, string>? Versions { get; init; }

    /// <summary>When it fires, repeatedly (exactly one of this and <see cref="At"/>).</summary>
    public CronSchedule? Cron { get; init; }

    /// <summary>When it fires, once.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>The version to release; null releases the newest version CI announced.</summary>
    public string? Version { get; init; }

    public IReadOnlyDictionary<string, string>? Args { get; init; }

    /// <summary>A suspended schedule does not fire (a firing due meanwhile is skipped, not caught up).</summary>
    public bool Suspend { get; init; }

    public Duration? StartingDeadline { get; init; }

    public string EffectiveWorkflow => Workflow ?? DefaultWorkflow;

    /// <summary>What it releases, as a person reads it: the service, or <c>group NAME</c>.</summary>
    public string Target => Group is { } group ? $"group {group}" : Service!;

    public TimeSpan EffectiveStartingDeadline => StartingDeadline?.Value ?? DefaultStartingDeadline;
}
