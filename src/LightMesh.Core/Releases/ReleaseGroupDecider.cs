namespace LightMesh.Core.Releases;

/// <summary>
/// Moves a group release on from its members' releases, as a pure function: starts each member once every member it
/// waits for has passed the gate; ends <see cref="GroupPhase.Succeeded"/> once every member is promoted; and when a
/// member fails (or an operator aborts the group) rolls the others back one at a time, last started first: a running
/// member is aborted, a promoted one is returned to its old version by a release of that version, and the group ends
/// <see cref="GroupPhase.RolledBack"/> once every one is back. Deciding again on the same releases gives the same
/// commands, so a controller that dies anywhere carries on where it was.
/// </summary>
public static class ReleaseGroupDecider
{
    private const string Controller = "controller";

    /// <summary>How long after a failed revert the next attempt waits: 5 s after the first, doubling, at most 5 min.</summary>
    public static TimeSpan RevertBackoff(int failedAttempts) =>
        TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, Math.Max(0, failedAttempts - 1))));

    /// <summary>A new group release of group workflow <paramref name="workflow"/> (<paramref name="spec"/>) with these versions, one per member, by service.</summary>
    public static ReleaseGroupState Start(string id, string workflow, ReleaseGroupSpec spec, IReadOnlyDictionary<string, string> versions, string actor, DateTimeOffset now) => new()
    {
        Id = id,
        Workflow = workflow,
        Spec = spec,
        Members = [.. spec.Members.Select(m => new GroupMemberRun(m.Service, versions[m.Service]))],
        Actor = actor,
        StartedAt = now,
        Events = [new ReleaseEvent(now, 0, "group started", actor, string.Join(", ", spec.Members.Select(m => $"{m.Service} {versions[m.Service]}")))],
    };

    /// <summary>An operator's abort: every member started is rolled back, last started first. Null when the group has ended.</summary>
    public static ReleaseGroupState? Abort(ReleaseGroupState group, string actor, DateTimeOffset now) =>
        group.IsFinished ? null
        : group.Phase == GroupPhase.RollingBack ? group
        : Log(RollingBackFor(group with { PausedBy = null }, $"aborted by {actor}"), now, "rolling back", actor, $"aborted by {actor}");

    /// <summary>
    /// An operator's pause, resume or approve of the whole group (<paramref name="action"/>), to be carried to every member
    /// started (<see cref="ActOnMember"/>); null when it does not apply now, with why. A pause also holds the group: no
    /// member starts until it is resumed. A newer action replaces one not carried to every member yet.
    /// </summary>
    public static (ReleaseGroupState? Group, string? Refused) Act(ReleaseGroupState group, OperatorAction action, string actor, DateTimeOffset now)
    {
        var name = action.ToString().ToLowerInvariant();
        string? refused = (group, action) switch
        {
            (_, not (OperatorAction.Pause or OperatorAction.Resume or OperatorAction.Approve)) => $"{name} acts on one release; a group takes pause, resume, approve and abort",
            ({ Phase: not GroupPhase.Progressing }, _) => $"group release {group.Id} is {group.Phase}: only a group going forward can be paused, resumed or approved",
            ({ PausedBy: not null }, OperatorAction.Pause) => $"group release {group.Id} is already paused (by {group.PausedBy})",
            ({ PausedBy: null }, OperatorAction.Resume) => $"group release {group.Id} is not paused",
            _ => null,
        };
        if (refused is not null)
        {
            return (null, refused);
        }

        var acting = new GroupAction((group.Acting?.Number ?? 0) + 1, action, actor, [.. group.Members.Where(m => m.ReleaseId is not null).Select(m => m.Service)]);
        var (changed, logged, reason) = action switch
        {
            OperatorAction.Pause => (group with { PausedBy = actor }, "group paused", $"paused by {actor}"),
            OperatorAction.Resume => (group with { PausedBy = null }, "group resumed", $"resumed by {actor}"),
            _ => (group with { ApprovedBy = actor }, "group approved", $"approved by {actor}"),
        };
        return (Log(changed with { Acting = acting }, now, logged, actor, reason), null);
    }

    /// <summary>The group's action has reached <paramref name="service"/> (done, or refused by its release): it is no longer pending there.</summary>
    public static ReleaseGroupState Acted(ReleaseGroupState group, int action, string service) =>
        group.Acting is { } acting && acting.Number == action && acting.Pending.Contains(service)
            ? group with { Acting = acting with { Pending = [.. acting.Pending.Where(s => s != service)] } }
            : group;

    /// <summary>
    /// A member whose release could not be started for good (its workflow gone, its version refused): it failed the group,
    /// which rolls the others back. Unchanged once the group is rolling back or ended.
    /// </summary>
    public static ReleaseGroupState MemberNotStarted(ReleaseGroupState group, string service, string reason, DateTimeOffset now)
    {
        if (group.Phase != GroupPhase.Progressing)
        {
            return group;
        }

        var why = $"{service} {group.Member(service).Version} could not start: {reason}";
        return Log(RollingBackFor(With(group, group.Member(service) with { ReleaseId = null }), why) with { FailedMember = service }, now, "rolling back", Controller, why);
    }

    /// <summary>
    /// The group's next state and commands, from <paramref name="releases"/>: every release it knows of (its members'
    /// and their reverts'), by id. A release recorded but not found was not started yet (or its start was lost): its
    /// start is asked for again.
    /// </summary>
    public static GroupDecision Decide(ReleaseGroupState group, IReadOnlyDictionary<string, ReleaseState> releases, DateTimeOffset now)
    {
        if (group.IsFinished)
        {
            return new GroupDecision(group, []);
        }

        var started = Started(group, releases);
        if (group.Phase == GroupPhase.Progressing && ReleaseGroupPlan.FailedMember(group.Spec, started) is { } failed)
        {
            var release = started[failed.Service];
            var reason = $"{failed.Service} {release.Version} ended {release.Phase}: {release.RollingBack ?? "no reason recorded"}";
            group = Log(RollingBackFor(group, reason) with { FailedMember = failed.Service }, now, "rolling back", Controller, reason);
        }

        return group.Phase == GroupPhase.RollingBack ? RollBack(group, releases, now) : Progress(group, started, now);
    }

    private static GroupDecision Progress(ReleaseGroupState group, Dictionary<string, ReleaseState> started, DateTimeOffset now)
    {
        var commands = new List<GroupCommand>();

        // Starts recorded whose release is not there: asked for again, with the same id. Not while the group is paused:
        // a start is guarded by the group's revision, so one decided before a pause that landed first did not happen.
        foreach (var member in group.PausedBy is not null ? [] : group.Members.Where(m => m.ReleaseId is not null && !started.ContainsKey(m.Service)))
        {
            commands.Add(StartOf(group, member));
        }

        // The group's action, to each member it has still to reach.
        if (group.Acting is { } acting)
        {
            foreach (var service in acting.Pending)
            {
                commands.Add(new ActOnMember(service, group.Member(service).ReleaseId!, acting.Action, acting.MemberActor(group.Id), acting.Number));
            }
        }

        // The group's approval, to each member that reached a group approval step after it (one actor per step: a
        // member with two such steps has each approved once).
        if (group.ApprovedBy is { } approver)
        {
            foreach (var (service, release) in started.Where(s => s.Value is { IsFinished: false, Phase: ReleasePhase.Paused, CurrentStep: ApprovalStep { Group: true } }))
            {
                if (!commands.Any(c => c is ActOnMember { Action: OperatorAction.Approve } pending && pending.Service == service))
                {
                    commands.Add(new ActOnMember(service, release.Id, OperatorAction.Approve, $"{approver} (group {group.Id}, approval of step {release.Step})", null));
                }
            }
        }

        // A paused group starts no member.
        foreach (var next in group.PausedBy is not null ? [] : ReleaseGroupPlan.ToStart(group.Spec, started).Where(m => group.Member(m.Service).ReleaseId is null))
        {
            var member = group.Member(next.Service) with { ReleaseId = ReleaseGroupState.ReleaseIdOf(group.Id, next.Service) };
            group = Log(With(group, member) with { StartOrder = [.. group.StartOrder, next.Service] }, now, "member started", Controller, $"{member.Service} {member.Version} ({member.ReleaseId})");
            commands.Add(StartOf(group, member));
        }

        if (commands.Count == 0 && group.Members.All(m => started.TryGetValue(m.Service, out var release) && release.Phase == ReleasePhase.Succeeded))
        {
            group = Log(group with { Phase = GroupPhase.Succeeded, EndedAt = now }, now, "group succeeded", Controller, "every member's new version is stable");
        }

        return new GroupDecision(group, commands);
    }

    /// <summary>
    /// The members to undo, last started first, one at a time: the first not back yet is aborted (while its release
    /// runs) or reverted (once promoted); the group ends once none is left.
    /// </summary>
    private static GroupDecision RollBack(ReleaseGroupState group, IReadOnlyDictionary<string, ReleaseState> releases, DateTimeOffset now)
    {
        var undo = group.FailedMember is { } failed
            ? ReleaseGroupPlan.ToRollBack(group.Spec, failed, group.StartOrder)
            : [.. group.StartOrder.Reverse()];
        foreach (var service in undo)
        {
            var member = group.Member(service);
            if (member.ReleaseId is not { } id || !releases.TryGetValue(id, out var release))
            {
                continue; // never started: nothing to undo
            }

            if (!release.IsFinished)
            {
                // Aborting a release that already rolls back changes nothing; asking again after a crash is harmless.
                return new GroupDecision(group, release.RollingBack is null ? [new AbortMember(service, id, group.RollingBack!)] : []);
            }

            if (release.Phase != ReleasePhase.Succeeded)
            {
                continue; // rolled back by itself
            }

            var revert = member.RevertId is { } revertId ? releases.GetValueOrDefault(revertId) : null;
            if (revert is { Phase: ReleasePhase.Succeeded })
            {
                continue; // returned to its old version
            }

            if (revert is { IsFinished: true, Events: [.., var last] } && now < last.At + RevertBackoff(member.RevertAttempts))
            {
                // A revert that failed is tried again, never given up, but not at once: what failed it may still hold.
                return new GroupDecision(group, []);
            }

            if (member.RevertId is null || revert is { IsFinished: true })
            {
                // A first revert, or another after one that did not get the old version back.
                var attempt = member.RevertAttempts + 1;
                member = member with { RevertId = ReleaseGroupState.RevertIdOf(group.Id, service, attempt), RevertAttempts = attempt };
                group = Log(With(group, member), now, "member reverted", Controller, $"{service} back to {release.StableVersion} ({member.RevertId})");
            }

            // Started now, or asked for again while it is not there yet; while it runs, nothing to do but wait.
            return new GroupDecision(group, revert is null || revert.IsFinished ? [new RevertMember(service, member.RevertId!, release.StableVersion, group.RollingBack!)] : []);
        }

        var ended = Log(group with { Phase = GroupPhase.RolledBack, EndedAt = now }, now, "group rolled back", Controller, group.RollingBack!);
        return new GroupDecision(ended, []);
    }

    /// <summary>Rolling back, for <paramref name="reason"/>: an operator's action not carried to every member yet goes no further.</summary>
    private static ReleaseGroupState RollingBackFor(ReleaseGroupState group, string reason) =>
        group with { Phase = GroupPhase.RollingBack, RollingBack = reason, Acting = group.Acting is { } acting ? acting with { Pending = [] } : null };

    /// <summary>The started members' releases, by service.</summary>
    private static Dictionary<string, ReleaseState> Started(ReleaseGroupState group, IReadOnlyDictionary<string, ReleaseState> releases) =>
        group.Members
            .Where(m => m.ReleaseId is { } id && releases.ContainsKey(id))
            .ToDictionary(m => m.Service, m => releases[m.ReleaseId!], StringComparer.Ordinal);

    private static StartMember StartOf(ReleaseGroupState group, GroupMemberRun member) =>
        new(member.Service, member.ReleaseId!, member.Version, group.Spec.Members.Single(m => m.Service == member.Service).Workflow);

    private static ReleaseGroupState With(ReleaseGroupState group, GroupMemberRun member) =>
        group with { Members = [.. group.Members.Select(m => m.Service == member.Service ? member : m)] };

    private static ReleaseGroupState Log(ReleaseGroupState group, DateTimeOffset now, string action, string actor, string reason) =>
        group with { Events = [.. group.Events, new ReleaseEvent(now, 0, action, actor, reason)] };
}
