using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;

namespace LightMesh.Releases.Tests.Chaos;

/// <summary>
/// Group releases under the chaos of <see cref="ReleaseChaosTests"/>: two services released as one group, one group
/// after another, each member's version healthy, failing or neither at random, with operators pressing the group's
/// buttons and the members' own at random moments. Half the groups start the second member only once the first is
/// promoted (so a failure of the second undoes a promotion), half once the first has taken traffic (so both run at
/// once). After each group ends, its phase's promise is checked against etcd and the nodes
/// (<see cref="PhasePromise.GroupBrokenAsync"/>).
/// </summary>
public static class GroupChaos
{
    /// <summary>The members, each with the steps of its own workflow; the second's approval is the group's.</summary>
    public static readonly Dictionary<string, string> Services = new()
    {
        ["epsilon"] = "  steps:\n  - deploy: {}\n  - setWeight: 40\n  - analysis: {templates: [error-ratio]}\n  - promote: {}",
        ["zeta"] = "  steps:\n  - deploy: {}\n  - setWeight: 30\n  - approval: {group: true}\n  - setWeight: 60\n  - analysis: {templates: [error-ratio]}\n  - promote: {}",
    };

    /// <summary>The two group workflows: zeta after epsilon is promoted, or once epsilon's weight step is done.</summary>
    public const string Documents = """
        apiVersion: lightmesh.io/v1
        kind: ReleaseGroupWorkflow
        metadata: {name: pair}
        spec:
          members:
          - {service: epsilon, workflow: epsilon}
          - {service: zeta, workflow: zeta, after: [epsilon]}
          gate: promoted
        ---
        apiVersion: lightmesh.io/v1
        kind: ReleaseGroupWorkflow
        metadata: {name: pair-overlap}
        spec:
          members:
          - {service: epsilon, workflow: epsilon}
          - {service: zeta, workflow: zeta, after: [epsilon]}
          gate: step 2
        """;

    private static readonly string[] GroupActions = ["pause", "resume", "approve", "abort"];

    /// <summary>No group of two six-step members takes longer than this, whatever befalls it.</summary>
    private static readonly TimeSpan GroupTimeout = TimeSpan.FromMinutes(5);

    /// <summary>One group release after another, <paramref name="rounds"/> of them, with operators at random.</summary>
    public static async Task ReleaseAsync(SimulatedMesh mesh, ChaosScript script, int rounds, Random random)
    {
        var groups = new ReleaseGroupStore(mesh.Store);
        for (var round = 1; round <= rounds; round++)
        {
            var workflow = random.Next(2) == 0 ? "pair" : "pair-overlap";
            var versions = Services.Keys.ToDictionary(s => s, _ => $"{ReleaseChaosTests.Pick(random, ("g", 6), ("b", 2), ("u", 1))}{round}");
            var before = new Dictionary<string, string>();
            foreach (var service in Services.Keys)
            {
                before[service] = ((MeshService?)await ReleaseChaosTests.Retrying(() => mesh.DocumentAsync(DocumentKind.Service, service)))!.Spec.Deploy!.StableVersion!;
            }

            var id = await StartAsync(mesh, script, groups, workflow, versions, random);
            var lastAction = DateTimeOffset.UtcNow;
            var randomActions = random.Next(0, 4);
            var seen = "";
            ReleaseGroupState group;
            Dictionary<string, ReleaseState> releases;
            while (true)
            {
                await Task.Delay(random.Next(200, 1500));
                group = (await ReleaseChaosTests.Retrying(() => groups.GetAsync(id, default))).State ?? throw new InvalidOperationException($"group {id} is gone");
                releases = await ReadReleasesAsync(mesh, group);
                if (Where(group, releases) is var where && where != seen)
                {
                    script.Log("group", $"{id}: {where}");
                    seen = where;
                }

                if (group.IsFinished)
                {
                    break;
                }

                var since = ReleaseChaosTests.Max(lastAction, script.LastDisturbance, group.StartedAt);
                if (DateTimeOffset.UtcNow - group.StartedAt > GroupTimeout && DateTimeOffset.UtcNow - since > SimulatedMesh.ProgressDeadline + TimeSpan.FromMinutes(2))
                {
                    script.Break(id, $"still {group.Phase} ({where}) {(DateTimeOffset.UtcNow - group.StartedAt).TotalSeconds:F0} s after it started");
                    return;
                }

                var (path, action) = randomActions-- > 0 && random.Next(3) == 0 ? RandomAction(group, random) : Nudge(group, releases, random);
                if (path is not null)
                {
                    var (status, _) = await mesh.PostAsync(random.Next(), path, new { actor = "chaos" });
                    script.Log("group", $"{action} ({path}) at {where}: {status}");
                    lastAction = DateTimeOffset.UtcNow;
                }
            }

            script.Log("group", $"{id} ended {group.Phase}{(group.RollingBack is { } why ? $": {why}" : "")}");
            foreach (var broken in await ReleaseChaosTests.Retrying(() => PhasePromise.GroupBrokenAsync(mesh, group, before, releases)))
            {
                script.Break(id, $"{group.Phase}, but {broken}");
            }
        }
    }

    private static async Task<Dictionary<string, ReleaseState>> ReadReleasesAsync(SimulatedMesh mesh, ReleaseGroupState group)
    {
        var releases = new Dictionary<string, ReleaseState>(StringComparer.Ordinal);
        foreach (var id in group.Members.SelectMany(m => new[] { m.ReleaseId, m.RevertId }).OfType<string>())
        {
            if ((await ReleaseChaosTests.Retrying(() => mesh.Releases.GetAsync(id, default))).State is { } release)
            {
                releases[id] = release;
            }
        }

        return releases;
    }

    private static string Where(ReleaseGroupState group, Dictionary<string, ReleaseState> releases) =>
        $"{group.Phase}{(group.PausedBy is { } by ? $" paused by {by}" : "")}; "
        + string.Join("; ", group.Members.Select(m => $"{m.Service} {m.Version}: "
            + (m.ReleaseId is null ? "not started" : string.Join(", then ", new[] { m.ReleaseId, m.RevertId }.OfType<string>().Select(id => releases.TryGetValue(id, out var r) ? $"{r.Version} {r.Phase} at step {r.Step}{(r.PausedBecause is { } why ? $" ({why})" : "")}" : "starting")))));

    /// <summary>An operator's button at random: on the whole group, or on one member's release.</summary>
    private static (string? Path, string Action) RandomAction(ReleaseGroupState group, Random random)
    {
        if (random.Next(2) == 0 || group.Members.All(m => m.ReleaseId is null))
        {
            var action = GroupActions[random.Next(GroupActions.Length)];
            return ($"api/v1/groups/{group.Id}/{action}", $"{action} the group");
        }

        var member = group.Members.Where(m => m.ReleaseId is not null).ElementAt(random.Next(group.Members.Count(m => m.ReleaseId is not null)));
        var memberAction = ReleaseChaosTests.ReleaseActions[random.Next(ReleaseChaosTests.ReleaseActions.Length)];
        return ($"api/v1/releases/{member.ReleaseId}/{memberAction}", $"{memberAction} {member.Service}'s release");
    }

    /// <summary>What an operator does to a group that waits for one, so that every group ends.</summary>
    private static (string? Path, string Action) Nudge(ReleaseGroupState group, Dictionary<string, ReleaseState> releases, Random random)
    {
        if (group.Phase == GroupPhase.Progressing && group.PausedBy is not null)
        {
            return ($"api/v1/groups/{group.Id}/resume", "resume the group");
        }

        foreach (var release in releases.Values.Where(r => r.Phase == ReleasePhase.Paused))
        {
            // A member at an approval step: the group's approval (which also ends a group approval step), or the member's reject.
            if (release.PausedFor == PauseKind.Approval && random.Next(5) > 0)
            {
                return ($"api/v1/groups/{group.Id}/approve", "approve the group");
            }

            if (ReleaseChaosTests.Nudge(release, random) is { } action)
            {
                return ($"api/v1/releases/{release.Id}/{action}", $"{action} {release.Service}'s release");
            }
        }

        return (null, "");
    }

    /// <summary>Starts the group, trying again as a CI pipeline would while a controller is killed or etcd is away.</summary>
    private static async Task<string> StartAsync(SimulatedMesh mesh, ChaosScript script, ReleaseGroupStore groups, string workflow, Dictionary<string, string> versions, Random random)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var (status, body) = await mesh.PostAsync(random.Next(), "api/v1/groups", new { workflow, versions, actor = "chaos" });
            if (status == 201)
            {
                var id = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
                script.Log("group", $"started {id}: {workflow}, {string.Join(", ", versions.Select(v => $"{v.Key} {v.Value}"))}");
                return id;
            }

            // An attempt whose answer a killed controller took with it made the group: nothing else starts these services.
            if (status == 409 && await ReleaseChaosTests.Retrying(() => groups.ActiveGroupOfAsync(Services.Keys.First(), default)) is { } made)
            {
                script.Log("group", $"started {made} (an attempt whose answer was lost made it)");
                return made;
            }

            if (DateTimeOffset.UtcNow > deadline || status is 400 or 404)
            {
                throw new InvalidOperationException($"group {workflow} could not be started: {status} {body}");
            }

            await Task.Delay(500);
        }
    }
}
