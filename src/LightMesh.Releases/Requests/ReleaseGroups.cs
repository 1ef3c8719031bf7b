using System.Security.Cryptography;
using LightMesh.Core.Validation;
using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Releases;

namespace LightMesh.Releases.Requests;

/// <summary>The answer to a request about a group release: the outcome, the group, and what was wrong.</summary>
public sealed record GroupResult(ReleaseOutcome Outcome, ReleaseGroupState? Group, IReadOnlyList<string> Errors)
{
    public static GroupResult Fail(ReleaseOutcome outcome, params string[] errors) => new(outcome, null, errors);
}

/// <summary>
/// Group releases as every way in (the API, the CLI through it) handles them: start one of a
/// <see cref="ReleaseGroupWorkflow"/> with a version per member, read them, act on one. The leader's
/// <see cref="Leadership.ReleaseGroupRunner"/> carries them out.
/// </summary>
public sealed class ReleaseGroups(DocumentStore documents, ReleaseGroupStore groups, ReleaseStore releases, ReleaseService service, ReleaseInputs inputs, TimeProvider time)
{
    // Guarded saves of a group tried before giving up: each is lost only to another write of the same group.
    private const int SaveAttempts = 10;

    /// <summary>The id of the group release a caller starts under idempotency key <paramref name="key"/> (a webhook's delivery): the same key, the same group.</summary>
    public static string IdFor(string workflow, string key) =>
        $"{workflow}-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..16]}";

    /// <summary>
    /// Starts a group release of <paramref name="workflow"/>: every member's version given, nothing else; every problem
    /// reported at once. With <paramref name="id"/> (<see cref="IdFor"/>), a start made again answers the group it made
    /// (<see cref="ReleaseOutcome.AlreadyStarted"/>) and starts nothing.
    /// </summary>
    public async Task<GroupResult> StartAsync(string workflow, IReadOnlyDictionary<string, string> versions, string actor, CancellationToken cancellationToken, string? id = null)
    {
        if (id is not null && (await groups.GetAsync(id, cancellationToken)).State is { } earlier)
        {
            return new GroupResult(ReleaseOutcome.AlreadyStarted, earlier, []);
        }

        var snapshot = await documents.ReadAsync(cancellationToken);
        if (snapshot.Find(DocumentKind.ReleaseGroupWorkflow, workflow)?.Document is not ReleaseGroupWorkflow found)
        {
            var stored = snapshot.All<ReleaseGroupWorkflow>().Select(w => w.Name).Order(StringComparer.Ordinal).ToList();
            return GroupResult.Fail(ReleaseOutcome.NotFound,
                $"workflow: no ReleaseGroupWorkflow named \"{workflow}\"; {(stored.Count > 0 ? $"stored: {string.Join(", ", stored)}" : "none is stored; apply one first (lightmesh apply -f examples/group-shop.yaml)")}");
        }

        var errors = Check(found.Spec, versions);
        // All or nothing: a member with nothing to release would fail the group at its start.
        foreach (var (member, version) in versions.Where(_ => errors.Count == 0))
        {
            if (await service.StableVersionOfAsync(member, version, cancellationToken) == version)
            {
                errors.Add($"versions.{member}: {version} is already the stable version of {member}");
            }
        }

        if (errors.Count > 0)
        {
            return new GroupResult(ReleaseOutcome.Invalid, null, errors);
        }

        var now = time.GetUtcNow();
        id ??= $"{workflow}-{now:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        var group = ReleaseGroupDecider.Start(id, found.Name, found.Spec, versions, actor, now);
        if (await groups.CreateAsync(group, cancellationToken) == ReleaseWriteOutcome.Written)
        {
            return new GroupResult(ReleaseOutcome.Done, group, []);
        }

        // Made meanwhile under the same id (the same delivery, twice at once): that one is the answer.
        if ((await groups.GetAsync(id, cancellationToken)).State is { } same)
        {
            return new GroupResult(ReleaseOutcome.AlreadyStarted, same, []);
        }

        // Say which member is busy, and with what.
        var busy = new List<string>();
        foreach (var member in found.Spec.Members)
        {
            if (await groups.ActiveGroupOfAsync(member.Service, cancellationToken) is { } other)
            {
                busy.Add($"service {member.Service} is a member of group release {other}");
            }
            else if (await releases.ActiveAsync(member.Service, cancellationToken) is { } active)
            {
                busy.Add($"service {member.Service} has an active release {active}: abort it, or wait until it ends");
            }
        }

        return new GroupResult(ReleaseOutcome.Conflict, null, busy.Count > 0 ? busy : ["another group or release of these services started at the same moment; try again"]);
    }

    /// <summary>An operator's abort: every member started is rolled back, last started first (the leader carries it out).</summary>
    public async Task<GroupResult> AbortAsync(string id, string actor, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (group, revision) = await groups.GetAsync(id, cancellationToken);
            if (group is null)
            {
                return GroupResult.Fail(ReleaseOutcome.NotFound, $"group: no group release \"{id}\"");
            }

            if (ReleaseGroupDecider.Abort(group, actor, time.GetUtcNow()) is not { } aborted)
            {
                return new GroupResult(ReleaseOutcome.Conflict, group, [$"abort: group release {id} has ended {group.Phase}"]);
            }

            if (ReferenceEquals(aborted, group) || (await groups.SaveAsync(aborted, revision, null, cancellationToken)).Outcome == ReleaseWriteOutcome.Written)
            {
                return new GroupResult(ReleaseOutcome.Done, aborted, []);
            }
        }
    }

    /// <summary>
    /// One action on the whole group: <c>pause</c> holds it (no member starts) and pauses every running member;
    /// <c>resume</c> lets it go on and resumes every member paused; <c>approve</c> approves every member waiting at an
    /// approval step. The action is recorded on the group first, then carried to each member here, as the release's own
    /// action (its log names the operator and the group action). Should this controller die part-way, the leader's
    /// <see cref="Leadership.ReleaseGroupRunner"/> carries it to the members it has not reached.
    /// </summary>
    public async Task<GroupResult> ActAsync(string id, OperatorAction action, string actor, CancellationToken cancellationToken)
    {
        var name = action.ToString().ToLowerInvariant();
        if (action is not (OperatorAction.Pause or OperatorAction.Resume or OperatorAction.Approve))
        {
            return action == OperatorAction.Abort
                ? await AbortAsync(id, actor, cancellationToken)
                : GroupResult.Fail(ReleaseOutcome.Invalid, $"action: {name} acts on one release; a group takes pause, resume, approve and abort");
        }

        for (var attempt = 0; attempt < SaveAttempts; attempt++)
        {
            var (group, revision) = await groups.GetAsync(id, cancellationToken);
            if (group is null)
            {
                return GroupResult.Fail(ReleaseOutcome.NotFound, $"group: no group release \"{id}\"");
            }

            var (acting, refused) = ReleaseGroupDecider.Act(group, action, actor, time.GetUtcNow());
            if (acting is null)
            {
                return new GroupResult(ReleaseOutcome.Conflict, group, [$"{name}: {refused}"]);
            }

            var members = await MemberReleasesAsync(group, cancellationToken);
            if (action == OperatorAction.Approve && !await HasApprovalToGiveAsync(group, members, cancellationToken))
            {
                return new GroupResult(ReleaseOutcome.Conflict, group, [$"approve: no member of group release {id} is waiting for approval, and no member's workflow has a group approval step (approval: {{group: true}})"]);
            }

            if ((await groups.SaveAsync(acting, revision, null, cancellationToken)).Outcome == ReleaseWriteOutcome.Written)
            {
                // What the decider says the action needs now (the runner asks it the same, for what this leaves undone).
                foreach (var command in ReleaseGroupDecider.Decide(acting, members, time.GetUtcNow()).Commands.OfType<ActOnMember>())
                {
                    await ActOnMemberAsync(id, command, cancellationToken);
                }

                return new GroupResult(ReleaseOutcome.Done, (await groups.GetAsync(id, cancellationToken)).State ?? acting, []);
            }
        }

        return GroupResult.Fail(ReleaseOutcome.Conflict, $"{name}: group release {id} kept changing; try again");
    }

    /// <summary>
    /// Carries a group action to one member, once: a release whose log already holds an event by the command's actor has
    /// had it. An approval is the group's (<see cref="GroupApproved"/>: it also ends a group approval step). Then the
    /// member is no longer pending on the group's action. Whatever the release answers (done, refused, gone), the action
    /// has reached it.
    /// </summary>
    public async Task<InputOutcome> ActOnMemberAsync(string groupId, ActOnMember command, CancellationToken cancellationToken)
    {
        var result = await inputs.ApplyAsync(
            command.ReleaseId,
            release => release.Events.Any(e => e.Actor == command.Actor) ? null
                : command.Action == OperatorAction.Approve ? new GroupApproved(command.Actor)
                : new OperatorInput(command.Action, command.Actor),
            cancellationToken);
        if (command.FromAction is not { } action)
        {
            return result.Outcome;
        }

        for (var attempt = 0; attempt < SaveAttempts; attempt++)
        {
            var (group, revision) = await groups.GetAsync(groupId, cancellationToken);
            var reached = group is null ? null : ReleaseGroupDecider.Acted(group, action, command.Service);
            if (reached is null || ReferenceEquals(reached, group)
                || (await groups.SaveAsync(reached, revision, null, cancellationToken)).Outcome == ReleaseWriteOutcome.Written)
            {
                break;
            }
        }

        return result.Outcome;
    }

    public async Task<ReleaseGroupState?> GetAsync(string id, CancellationToken cancellationToken) => (await groups.GetAsync(id, cancellationToken)).State;

    public Task<IReadOnlyList<ReleaseGroupState>> ListAsync(CancellationToken cancellationToken) => groups.ListAsync(cancellationToken);

    /// <summary>Every release the group knows of (its members' and their reverts'), by id.</summary>
    public async Task<Dictionary<string, ReleaseState>> MemberReleasesAsync(ReleaseGroupState group, CancellationToken cancellationToken) =>
        (await releases.GetManyAsync([.. group.Members.SelectMany(m => new[] { m.ReleaseId, m.RevertId }).OfType<string>()], cancellationToken))
            .ToDictionary(r => r.Id, StringComparer.Ordinal);

    /// <summary>
    /// Whether approving the group does something: a member waits at an approval step now, or a member's workflow has a
    /// group approval step, which the approval will end when the member gets there.
    /// </summary>
    private async Task<bool> HasApprovalToGiveAsync(ReleaseGroupState group, IReadOnlyDictionary<string, ReleaseState> members, CancellationToken cancellationToken)
    {
        if (members.Values.Any(r => !r.IsFinished && r.CurrentStep is ApprovalStep))
        {
            return true;
        }

        var snapshot = await documents.ReadAsync(cancellationToken);
        return group.Spec.Members.Any(m => snapshot.Find(DocumentKind.ReleaseWorkflow, m.Workflow)?.Document is ReleaseWorkflow { Spec.Steps: var steps }
            && steps.Any(s => s is ApprovalStep { Group: true }));
    }

    private static List<string> Check(ReleaseGroupSpec spec, IReadOnlyDictionary<string, string> versions)
    {
        var members = spec.Members.Select(m => m.Service).ToList();
        var errors = new List<string>();
        foreach (var member in members.Where(m => !versions.ContainsKey(m)))
        {
            errors.Add($"versions.{member}: no version given; every member needs one ({string.Join(", ", members)})");
        }

        foreach (var (service, version) in versions)
        {
            if (!members.Contains(service))
            {
                errors.Add($"versions.{service}: not a member of this group (its members: {string.Join(", ", members)})");
            }
            else if ((version.Length == 0 ? "it is empty" : Names.CheckLabelValue(version)) is { } problem)
            {
                errors.Add($"versions.{service}: \"{version}\" is not a valid version label: {problem}");
            }
        }

        return errors;
    }
}
