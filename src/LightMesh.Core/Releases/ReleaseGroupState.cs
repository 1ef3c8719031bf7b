namespace LightMesh.Core.Releases;

/// <summary>Where a group release is: its members going forward, rolling back after a failure or an abort, or ended.</summary>
public enum GroupPhase
{
    Progressing,
    RollingBack,

    /// <summary>Every member's release ended <see cref="ReleasePhase.Succeeded"/>: every new version is stable.</summary>
    Succeeded,

    /// <summary>No member's new version is stable (under <see cref="MemberFailurePolicy.RollbackDependants"/>, none after the failed member's).</summary>
    RolledBack,
}

/// <summary>
/// One member of a running group: the version it releases, its release once the group decided to start it, and, when
/// the group rolled back a member that had already been promoted, the release that returns it to its old version.
/// Each id is recorded before the release is started (its id makes the start idempotent), so a controller that dies in
/// between starts the same release again, never a second one.
/// </summary>
public sealed record GroupMemberRun(string Service, string Version)
{
    public string? ReleaseId { get; init; }

    /// <summary>The release of the old version that undoes a promoted member; a new one (a new attempt) if one fails.</summary>
    public string? RevertId { get; init; }

    public int RevertAttempts { get; init; }
}

/// <summary>
/// A group release's whole state: the group workflow it follows (copied at start), each member's run, the order members
/// started in, and its log. Kept in etcd beside its members' releases; the members are ordinary releases tied to it.
/// </summary>
public sealed record ReleaseGroupState
{
    public required string Id { get; init; }

    /// <summary>The <see cref="ReleaseGroupWorkflow"/> followed, by name; <see cref="Spec"/> is its spec at the start.</summary>
    public required string Workflow { get; init; }

    public required ReleaseGroupSpec Spec { get; init; }

    /// <summary>One per member of <see cref="Spec"/>, in its order.</summary>
    public required IReadOnlyList<GroupMemberRun> Members { get; init; }

    public GroupPhase Phase { get; init; } = GroupPhase.Progressing;

    /// <summary>The services of the members started, in the order they started: a rollback goes through them backwards.</summary>
    public IReadOnlyList<string> StartOrder { get; init; } = [];

    /// <summary>The member whose failure rolled the group back; null while none failed, and after an operator's abort.</summary>
    public string? FailedMember { get; init; }

    /// <summary>Why the group rolls (or rolled) back.</summary>
    public string? RollingBack { get; init; }

    /// <summary>Who paused the group: no member starts until it is resumed (its members' releases are paused too).</summary>
    public string? PausedBy { get; init; }

    /// <summary>The latest operator action on the whole group, and the members it has still to reach.</summary>
    public GroupAction? Acting { get; init; }

    /// <summary>
    /// Who approved the group, the latest: from then on every member's group approval step (<c>approval: {group: true}</c>)
    /// passes, now or when the member gets there.
    /// </summary>
    public string? ApprovedBy { get; init; }

    public required string Actor { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public IReadOnlyList<ReleaseEvent> Events { get; init; } = [];

    /// <summary>How many of <see cref="Events"/> its notification URLs have been told (<see cref="ReleaseGroupSpec.Notifications"/>).</summary>
    public int Notified { get; init; }

    /// <summary>True while some event is still to be told to the group's notification URLs.</summary>
    public bool HasUntold => Spec.Notifications.Count > 0 && Notified < Events.Count;

    public bool IsFinished => Phase is GroupPhase.Succeeded or GroupPhase.RolledBack;

    public GroupMemberRun Member(string service) => Members.Single(m => m.Service == service);

    /// <summary>The id of the release that releases <paramref name="service"/>'s new version in group <paramref name="groupId"/>.</summary>
    public static string ReleaseIdOf(string groupId, string service) => $"{groupId}-{service}";

    /// <summary>The id of the <paramref name="attempt"/>th release that returns <paramref name="service"/> to its old version.</summary>
    public static string RevertIdOf(string groupId, string service, int attempt) =>
        attempt == 1 ? $"{groupId}-{service}-revert" : $"{groupId}-{service}-revert-{attempt}";
}

/// <summary>
/// An operator's pause, resume or approve of a whole group (the <see cref="Number"/>th on it): recorded on the group
/// first, then carried to each member in <see cref="Pending"/> as that release's own action. The member's action names
/// <see cref="MemberActor"/>, so whoever carries it out (the controller that took the request, or the leader after it
/// died) sees in the release's log whether it is done already, and never does it twice.
/// </summary>
public sealed record GroupAction(int Number, OperatorAction Action, string Actor, IReadOnlyList<string> Pending)
{
    /// <summary>The actor the member's release records: the operator, and which group action it comes from.</summary>
    public string MemberActor(string groupId) => $"{Actor} (group {groupId}, action {Number})";
}

/// <summary>What the group needs carried out next; each is idempotent (its release id is fixed before).</summary>
public abstract record GroupCommand(string Service);

/// <summary>Start the member's release of its new version, with id <see cref="ReleaseId"/>.</summary>
public sealed record StartMember(string Service, string ReleaseId, string Version, string Workflow) : GroupCommand(Service);

/// <summary>Abort the member's release (it rolls back by itself, as any aborted release does).</summary>
public sealed record AbortMember(string Service, string ReleaseId, string Reason) : GroupCommand(Service);

/// <summary>
/// Carry the group's action to the member's release, unless its log shows it done (by <see cref="Actor"/>): a member
/// that refuses it (ended, or not waiting for it) is left as it is. <see cref="FromAction"/> is the number of the
/// <see cref="GroupAction"/> it carries, which no longer waits for this member once it is done; null for the group's
/// standing approval reaching a member's group approval step.
/// </summary>
public sealed record ActOnMember(string Service, string ReleaseId, OperatorAction Action, string Actor, int? FromAction) : GroupCommand(Service);

/// <summary>Start release <see cref="RevertId"/> of <see cref="Version"/>, the version the member was promoted from: deploy it and promote at once.</summary>
public sealed record RevertMember(string Service, string RevertId, string Version, string Reason) : GroupCommand(Service);

/// <summary>The group's next state and what to carry out for it (after that state is saved).</summary>
public sealed record GroupDecision(ReleaseGroupState State, IReadOnlyList<GroupCommand> Commands);
