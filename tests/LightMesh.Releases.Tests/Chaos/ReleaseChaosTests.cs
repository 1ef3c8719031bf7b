using System.Globalization;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Deployer.Revisions;
using LightMesh.Host.Api;
using LightMesh.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LightMesh.Releases.Tests.Chaos;

/// <summary>
/// Many short releases of four services at once, run by two controllers, while the mesh is under fire at random: the
/// leader killed as a crash would (a standby takes over, the killed one starts again), etcd stopped for seconds, a
/// node's engine unreachable or refusing a plan, a node held busy by another apply or by a holder that died; and
/// operators pressing every button at random moments (an admin forcing the release's weights among them). Each release's version decides its analysis: healthy, failing or
/// neither. After each release ends its phase's promise is checked against etcd and the nodes (<see cref="PhasePromise"/>),
/// and it must have ended within its progress deadline and one recheck of the last disturbance. Beside them, two more
/// services are released as group releases, one after another, under the same fire (<see cref="GroupChaos"/>).
/// The seed is printed and every choice follows from it: <c>LIGHTMESH_CHAOS_SEED=N</c> replays a run's choices, and
/// <c>LIGHTMESH_CHAOS_LONG=1</c> runs ten times as many releases.
/// </summary>
public sealed class ReleaseChaosTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Services = new()
    {
        ["alpha"] = "  sessionAffinity: {cookieName: lm-sticky}\n  steps:\n  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [error-ratio]}\n  - setWeight: 50\n  - pause: {duration: 2s}\n  - promote: {}",
        ["beta"] = "  backgroundAnalysis: {templates: [error-ratio], startingStep: 1}\n  steps:\n  - deploy: {replicas: 2}\n  - setWeight: 30\n  - approval: {}\n  - setWeight: 60\n  - pause: {}\n  - promote: {}",
        ["gamma"] = "  onInconclusive: rollback\n  steps:\n  - deploy: {}\n  - setWeight: 50\n  - analysis: {templates: [error-ratio]}\n  - promote: {}",
        ["delta"] = "  steps:\n  - deploy: {}\n  - setWeight: 10\n  - pause: {}\n  - setWeight: 40\n  - analysis: {templates: [error-ratio]}",
    };

    private static readonly string[] Controllers = ["controller-1", "controller-2"];

    private const string ForceWeights = "weights --force";

    /// <summary>The actions on a release.</summary>
    internal static readonly string[] ReleaseActions = [.. ReleaseEndpoints.Actions.Keys];

    /// <summary>Every button an operator has: the release actions, and an admin's forced change of the release's weights.</summary>
    private static readonly string[] OperatorActions = [.. ReleaseActions, ForceWeights];

    /// <summary>The controllers' recheck interval (see LightMesh.SimulatedController).</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Time for a rollback's moves once the progress deadline has passed, and for a machine the whole suite loads: there a
    /// killed controller can take ten seconds to start again, and a standby as long to take over.
    /// </summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task ReleasesUnderFire_EndAsTheirPhasesPromise()
    {
        var seed = Environment.GetEnvironmentVariable("LIGHTMESH_CHAOS_SEED") is { } given ? int.Parse(given, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var rounds = Environment.GetEnvironmentVariable("LIGHTMESH_CHAOS_LONG") == "1" ? 60 : 6;
        var script = new ChaosScript(seed);
        var groupRounds = rounds;
        output.WriteLine($"chaos seed {seed}, {rounds} releases of each of {Services.Count} services, {groupRounds} group releases of {GroupChaos.Services.Count} more");

        await using var mesh = await SimulatedMesh.StartAsync(Services.Concat(GroupChaos.Services).ToDictionary(), rounds);
        await mesh.ApplyAsync(GroupChaos.Documents);
        foreach (var controller in Controllers)
        {
            await mesh.StartControllerAsync(controller);
        }

        try
        {
            using var workersDone = new CancellationTokenSource();
            var workers = Services.Keys.Select((service, i) => ReleaseAsync(mesh, script, service, rounds, new Random(seed + i + 1))).ToList();
            workers.Add(GroupChaos.ReleaseAsync(mesh, script, groupRounds, new Random(seed + Services.Count + 1)));
            var chaos = FireAsync(mesh, script, new Random(seed), workersDone.Token);
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(rounds * 1.5));
            await workersDone.CancelAsync();
            await chaos;
            await CheckNoCanaryIsLeftAsync(mesh, script);
        }
        catch (Exception e) when (e is not XunitException)
        {
            throw new XunitException($"{script}\n{e}\n{mesh.Output()}");
        }

        output.WriteLine(script.ToString());
        Assert.True(script.Broken.Count == 0, $"{script}\n{mesh.Output()}");
    }

    /// <summary>One service's releases, one after another, with an operator pressing buttons at random while each runs.</summary>
    private static async Task ReleaseAsync(SimulatedMesh mesh, ChaosScript script, string service, int rounds, Random random)
    {
        for (var round = 1; round <= rounds; round++)
        {
            var version = $"{Pick(random, ("g", 6), ("b", 3), ("u", 2))}{round}";
            var id = await StartAsync(mesh, script, service, version, random);
            var lastAction = DateTimeOffset.UtcNow;
            var randomActions = random.Next(0, 4);
            var seen = "";
            ReleaseState release;
            while (true)
            {
                await Task.Delay(random.Next(200, 1500));
                release = await ReadAsync(mesh, id);
                if (Where(release) is var where && where != seen)
                {
                    script.Log(service, $"{id}: {where}");
                    seen = where;
                }

                if (release.Phase == ReleasePhase.Progressing && release.RollingBack is null
                    && DateTimeOffset.UtcNow - release.LastProgressAt > SimulatedMesh.ProgressDeadline + Recheck + Slack)
                {
                    script.Break(id, $"progressing without progress since {release.LastProgressAt:HH:mm:ss}, past its progress deadline and a recheck");
                    return;
                }

                var since = Max(lastAction, script.LastDisturbance, release.StartedAt);
                if (release.IsFinished)
                {
                    var end = release.Events[^1].At;
                    if (end - since > SimulatedMesh.ProgressDeadline + Recheck + Slack)
                    {
                        script.Break(id, $"ended {(end - since).TotalSeconds:F0} s after its last disturbance, past its progress deadline and a recheck");
                    }

                    break;
                }

                // Disturbances every few seconds never let a healthy engine take minutes over a release of six steps.
                if (DateTimeOffset.UtcNow - since > SimulatedMesh.ProgressDeadline + Recheck + Slack + Slack || DateTimeOffset.UtcNow - release.StartedAt > TimeSpan.FromMinutes(3))
                {
                    script.Break(id, $"still {release.Phase} at step {release.Step} ({release.PausedBecause ?? release.RollingBack ?? release.Retry?.Reason}) long after its last disturbance");
                    return;
                }

                var action = randomActions-- > 0 && random.Next(3) == 0
                    ? OperatorActions[random.Next(OperatorActions.Length)]
                    : Nudge(release, random);
                if (action is not null)
                {
                    // An admin forcing the release's weights is one more button: the release pauses, and takes its routes back when resumed.
                    var (status, _) = action == ForceWeights
                        ? await mesh.PostAsync(random.Next(), $"api/v1/documents/virtualservices/{service}/weights?force=true", new { weights = new { stable = 100, canary = 0 } })
                        : await mesh.PostAsync(random.Next(), $"api/v1/releases/{id}/{action}", new { actor = "chaos" });
                    script.Log(service, $"{action} {id} at step {release.Step} ({release.Phase}{(release.Promotion is { } p ? $", promotion {p}" : "")}{(release.Rollback is { } r ? $", rollback {r}" : "")}): {status}");
                    lastAction = DateTimeOffset.UtcNow;
                }
            }

            script.Log(service, $"{id} ended {release.Phase}{(release.RollingBack is { } why ? $": {why}" : "")}");
            foreach (var broken in await Retrying(() => PhasePromise.BrokenAsync(mesh, release)))
            {
                script.Break(id, $"{release.Phase}, but {broken}");
            }
        }
    }

    private static string Where(ReleaseState release) =>
        $"{release.Phase} at step {release.Step}{(release.Promotion is { } p ? $", promotion {p}" : "")}{(release.Rollback is { } r ? $", rollback {r}" : "")}"
        + (release.Retry is { } retry ? $", retrying: {retry.Reason}" : "") + (release.PausedBecause is { } why ? $": {why}" : "");

    /// <summary>What an operator does to a release that waits for one, so that every release ends.</summary>
    internal static string? Nudge(ReleaseState release, Random random) => release.Phase != ReleasePhase.Paused ? null : release.PausedFor switch
    {
        PauseKind.Approval => random.Next(5) == 0 ? "reject" : "approve",
        PauseKind.Inconclusive => random.Next(3) == 0 ? "abort" : "resume",
        _ => random.Next(4) == 0 ? "promote" : "resume",
    };

    private static async Task<string> StartAsync(SimulatedMesh mesh, ChaosScript script, string service, string version, Random random)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        // One key for every attempt, as a CI pipeline would send: an attempt whose answer a killed controller took with it
        // made the release, and the next attempt is answered with it.
        var key = $"chaos-{random.Next()}-{service}-{version}";
        while (true)
        {
            var (status, body) = await mesh.PostAsync(random.Next(), "api/v1/releases", new { service, version, workflow = service, actor = "chaos" }, key);
            if (status is 200 or 201)
            {
                var id = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
                script.Log(service, status == 201 ? $"started {id}" : $"started {id} (an attempt whose answer was lost made it)");
                return id;
            }

            // A controller being killed, or etcd away: try again, as a CI pipeline would.
            if (DateTimeOffset.UtcNow > deadline || status is 400 or 404)
            {
                throw new InvalidOperationException($"release {service} {version} could not be started: {status} {body}");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>Disturbs the mesh every few seconds, until the releases are done.</summary>
    private static async Task FireAsync(SimulatedMesh mesh, ChaosScript script, Random random, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            // Often enough that most releases meet something, seldom enough that the mesh has calm to recover in: each
            // release's end is timed from the last disturbance.
            await Task.Delay(random.Next(4000, 10000), done).ContinueWith(_ => { }, TaskScheduler.Default);
            if (done.IsCancellationRequested)
            {
                return;
            }

            var node = SimulatedMesh.Nodes[random.Next(SimulatedMesh.Nodes.Length)];
            switch (random.Next(8))
            {
                case 0 or 1:
                    var leader = await mesh.LeaderAsync() ?? Controllers[random.Next(Controllers.Length)];
                    if (mesh.IsRunning(leader))
                    {
                        script.Disturbed($"kill -9 {leader}");
                        await mesh.KillControllerAsync(leader);
                        await Task.Delay(random.Next(500, 2500), CancellationToken.None);
                        await mesh.StartControllerAsync(leader);
                        script.Disturbed($"{leader} started again");
                    }

                    break;
                case 2:
                    script.Disturbed("etcd stopped");
                    await mesh.Etcd.StopAsync();
                    await Task.Delay(random.Next(1000, 2500), CancellationToken.None);
                    await mesh.Etcd.RestartAsync();
                    script.Disturbed("etcd started again");
                    break;
                case 3 or 4:
                    var fault = random.Next(2) == 0 ? SimulatedFault.Unreachable : SimulatedFault.Refused;
                    await Retrying(async () => { await mesh.PlantAsync(node, fault); return 0; });
                    script.Disturbed($"{node}: the next apply finds its engine {fault}");
                    break;
                case 5 or 6:
                    await HoldAsync(mesh, script, node, random);
                    break;
                default:
                    // A calm spell.
                    break;
            }
        }
    }

    /// <summary>Another apply holds the node for a while, then lets go or dies holding it (its lock lapses).</summary>
    private static async Task HoldAsync(SimulatedMesh mesh, ChaosScript script, string node, Random random)
    {
        var held = await Retrying(() => new NodeRevisionStore(mesh.Store, TimeProvider.System).TryLockAsync(node, "an apply by chaos", default));
        if (held is null)
        {
            return;
        }

        script.Disturbed($"{node} held by another apply");
        await Task.Delay(random.Next(500, 3000));
        if (random.Next(3) > 0)
        {
            await held.DisposeAsync();
            script.Disturbed($"{node} let go");
        }
        else
        {
            await held.AbandonAsync();
            script.Disturbed($"{node}'s holder died holding it");
        }
    }

    private static async Task CheckNoCanaryIsLeftAsync(SimulatedMesh mesh, ChaosScript script)
    {
        foreach (var node in SimulatedMesh.Nodes)
        {
            foreach (var canary in (await Retrying(() => mesh.RunningAsync(node))).Where(c => c.IsCanary))
            {
                script.Break(node, $"runs canary {canary.ComposeService} after every release ended");
            }
        }

        if (await Retrying(() => new Etcd.Releases.ReleaseGroupStore(mesh.Store).ActiveIdsAsync(default)) is { Count: > 0 } groups)
        {
            script.Break("mesh", $"group releases still active after every group ended: {string.Join(", ", groups)}");
        }

        if ((await Retrying(() => mesh.Releases.ActiveIdsAsync(default))).Ids is { Count: > 0 } active)
        {
            script.Break("mesh", $"releases still active after every release ended: {string.Join(", ", active)}");
            foreach (var id in active)
            {
                script.Break(id, await Retrying(() => mesh.WorkflowOfAsync(id)));
            }
        }
    }

    private static Task<ReleaseState> ReadAsync(SimulatedMesh mesh, string id) =>
        Retrying(async () => (await mesh.Releases.GetAsync(id, default)).State ?? throw new InvalidOperationException($"release {id} is gone"));

    /// <summary>Calls etcd until it answers: the chaos stops it now and then.</summary>
    internal static async Task<T> Retrying<T>(Func<Task<T>> call)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (ServerUnreachableException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    internal static string Pick(Random random, params (string Value, int Weight)[] choices)
    {
        var roll = random.Next(choices.Sum(c => c.Weight));
        foreach (var (value, weight) in choices)
        {
            if ((roll -= weight) < 0)
            {
                return value;
            }
        }

        return choices[^1].Value;
    }

    internal static DateTimeOffset Max(params DateTimeOffset[] times) => times.Max();
}
