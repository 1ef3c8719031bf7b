using LightMesh.Core.Analysis;
using LightMesh.Core.Deployment;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Deployer;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Releases;

namespace LightMesh.Releases.Steps;

/// <summary>
/// The release commands carried out against the real world for one leadership term: route rules (fenced by the term),
/// the deployer, Prometheus and webhooks. A service without a <c>deploy</c> section is run by other means, so its
/// release only moves traffic and waits for the new version's instances to register.
/// </summary>
public sealed class CommandExecutor(
    DocumentStore documents,
    ReleaseStore releases,
    InstanceRegistry registry,
    TrafficSteps traffic,
    AnalysisSteps analysis,
    WebhookCaller webhooks,
    NodeDeployer? deployer,
    LeaderTerm leader,
    TimeProvider time,
    ReleaseEngineOptions options) : ICommandExecutor
{
    private static readonly TimeSpan InstancePoll = TimeSpan.FromMilliseconds(250);

    public async Task<StepResult> DeployCanaryAsync(ReleaseState release, int replicas, CancellationToken cancellationToken)
    {
        var prepared = await traffic.PrepareAsync(release, leader, cancellationToken);
        if (!prepared.Succeeded)
        {
            return prepared;
        }

        var canary = new CanaryDeployment(release.Service, release.Version, replicas, release.Id);
        var deployed = await ApplyNodesAsync(release, canary, cancellationToken);
        if (!deployed.Result.Succeeded)
        {
            return deployed.Result;
        }

        var expected = Math.Max(1, deployed.Nodes * replicas);
        return await WaitForInstancesAsync(release.Service, release.Version, expected, cancellationToken);
    }

    public Task<StepResult> SetCanaryWeightAsync(ReleaseState release, int weight, CancellationToken cancellationToken) =>
        traffic.SetCanaryWeightAsync(release, weight, leader, cancellationToken);

    public async Task<StepResult> SetReleaseRouteAsync(ReleaseState release, ReleaseRouteStep route, CancellationToken cancellationToken)
    {
        var what = route switch
        {
            { Removes: true } => $"{route.Type} {route.Name} removed",
            SetHeaderRouteStep => $"header route {route.Name} sends its requests to the canary",
            _ => $"mirror route {route.Name} copies its requests to the canary",
        };
        return await traffic.SetReleaseRoutesAsync(ReleaseTraffic.After(release, route), what, leader, cancellationToken);
    }

    public async Task<StepResult> RestoreRoutesAsync(ReleaseState release, int weight, CancellationToken cancellationToken)
    {
        var prepared = await traffic.PrepareAsync(release, leader, cancellationToken);
        return prepared.Succeeded ? await traffic.SetCanaryWeightAsync(release, weight, leader, cancellationToken) : prepared;
    }

    public async Task<AnalysisEnded> AnalyzeAsync(
        ReleaseState release, IReadOnlyList<string> templates, IReadOnlyDictionary<string, string> args, bool background,
        IProgress<(string Template, MetricMeasured Measured)>? measured, CancellationToken cancellationToken)
    {
        var (phase, reason, runs) = await analysis.RunAsync(release, templates, args, measured, cancellationToken);
        var records = runs.Zip(templates, (run, template) => run.Metrics.Select(m => new AnalysisRecord(release.Step, background, template, m.Name, m.Phase, m.Message, m.Measurements).KeepingLast(options.MeasurementRetention)))
            .SelectMany(r => r)
            .ToList();
        return new AnalysisEnded(release.Step, phase, reason, records);
    }

    public async Task<StepResult> CallWebhookAsync(ReleaseState release, WebhookStep webhook, CancellationToken cancellationToken)
    {
        var outcome = await webhooks.CallAsync(webhook, release, cancellationToken);
        return new StepResult(outcome.Passed, outcome.Reason);
    }

    /// <summary>
    /// Applies every node that runs the service, with the canaries other releases run now and <paramref name="canary"/>
    /// (if any). A node busy with another apply is not a failure: the step is tried again.
    /// </summary>
    private async Task<(StepResult Result, int Nodes)> ApplyNodesAsync(ReleaseState release, CanaryDeployment? canary, CancellationToken cancellationToken)
    {
        if (await documents.GetAsync(DocumentKind.Service, release.Service, cancellationToken) is not MeshService { Spec.Deploy: not null } service)
        {
            return (new StepResult(true, "not deployed by LightMesh: nothing to apply"), 0);
        }

        if (deployer is null)
        {
            return (StepResult.Failed($"{release.Service} is deployed by LightMesh, but this controller has no deployer"), 0);
        }

        var nodes = (await documents.ListAsync(DocumentKind.Node, cancellationToken)).OfType<MeshNode>().Where(n => ComposePlanner.RunsOn(service, n)).ToList();
        foreach (var node in nodes)
        {
            // The other releases' canaries are read while the node's lock is held, so none that another release has
            // just removed comes back.
            var result = await deployer.ApplyAsync(node.Name, token => CanariesAsync(release, canary, token), null, cancellationToken);
            switch (result.Outcome)
            {
                case DeployOutcome.Applied or DeployOutcome.Unchanged:
                    continue;
                case DeployOutcome.Busy:
                    return (new StepResult(false, string.Join("; ", result.Errors), Busy: true), nodes.Count);
                default:
                    return (StepResult.Failed($"node {node.Name}: {result.Outcome}: {string.Join("; ", result.Errors)}"), nodes.Count);
            }
        }

        return (new StepResult(true, $"{nodes.Count} node(s) applied"), nodes.Count);
    }

    private async Task<IReadOnlyList<CanaryDeployment>> CanariesAsync(ReleaseState release, CanaryDeployment? canary, CancellationToken cancellationToken)
    {
        var others = await OtherCanariesAsync(release, cancellationToken);
        return canary is null ? others : [.. others, canary];
    }

    /// <summary>
    /// The canaries other active releases run now, so applying a node for this release keeps them: from the deploy step
    /// on, until the release begins removing them. Only active releases are read.
    /// </summary>
    private async Task<IReadOnlyList<CanaryDeployment>> OtherCanariesAsync(ReleaseState release, CancellationToken cancellationToken)
    {
        var canaries = new List<CanaryDeployment>();
        var active = (await releases.ActiveIdsAsync(cancellationToken)).Ids.Where(id => id != release.Id).ToList();
        foreach (var other in await releases.GetManyAsync(active, cancellationToken))
        {
            if (other.Service == release.Service || ReleaseMoves.RemovingCanary(other))
            {
                continue;
            }

            var deploy = other.Spec.Steps.Select((s, i) => (Step: s as DeployStep, Index: i)).FirstOrDefault(x => x.Step is not null && x.Index <= other.Step);
            if (deploy.Step is not null)
            {
                canaries.Add(new CanaryDeployment(other.Service, other.Version, deploy.Step.Replicas ?? 1, other.Id, Promoted: ReleaseMoves.MayHaveMovedStable(other)));
            }
        }

        return canaries;
    }

    private async Task<StepResult> WaitForInstancesAsync(string service, string version, int expected, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var live = (await registry.ListAsync(service, cancellationToken)).Count(i => i.Instance.Version == version);
            if (live >= expected)
            {
                return new StepResult(true, $"{live} instance(s) of {service} {version} registered");
            }

            if (time.GetElapsedTime(started) >= options.DeployTimeout)
            {
                return StepResult.Failed($"{live} of {expected} instance(s) of {service} {version} registered within {options.DeployTimeout.TotalSeconds}s");
            }

            await Task.Delay(InstancePoll, time, cancellationToken);
        }
    }

    // The two ways a release ends, promotion and rollback, each a sequence of moves that the release records as begun before making them; every move can run again, and the rollback undoes whatever the recorded promotion moves may have done.

    public async Task<StepResult> PromoteAsync(ReleaseState release, PromotionMove move, CancellationToken cancellationToken) => move switch
    {
        PromotionMove.CanaryTakesAll => await SetCanaryWeightAsync(release, ReleaseMoves.PromotionWeight(release), cancellationToken),

        // The window (and the post-promotion analysis) is over: the old version, which ran on meanwhile, may now go.
        PromotionMove.PreviousKept => new StepResult(true, $"{release.StableVersion} was kept running after the switch; it goes now"),

        // The stable subset moves to the new version while the canary takes everything, so no request reaches the old
        // version from here on.
        PromotionMove.StableMoved => await traffic.MoveStableAsync(release, release.Version, leader, cancellationToken),
        PromotionMove.NewStableStarted => await StartNewStableAsync(release, cancellationToken),
        PromotionMove.StableTakesAll => await traffic.AllToStableAsync(release, leader, cancellationToken),
        PromotionMove.CanaryRemoved => await RemoveCanaryAsync(release, $"{release.Version} is stable", cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(move), move, "no such promotion move"),
    };

    public async Task<StepResult> RollBackAsync(ReleaseState release, RollbackMove move, CancellationToken cancellationToken) => move switch
    {
        RollbackMove.StableRestored => await RestoreStableAsync(release, cancellationToken),
        RollbackMove.StableTakesAll => await traffic.AllToStableAsync(release, leader, cancellationToken),
        RollbackMove.CanaryRemoved => await RemoveCanaryAsync(release, $"stable {release.StableVersion} takes 100%", cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(move), move, "no such rollback move"),
    };

    /// <summary>
    /// A deployed service's nodes run the new version as stable (its canary containers keep serving meanwhile), after a
    /// drain of the old version, which the canary has replaced in the traffic.
    /// </summary>
    private async Task<StepResult> StartNewStableAsync(ReleaseState release, CancellationToken cancellationToken)
    {
        if (await DeployOf(release, cancellationToken) is not { } deploy)
        {
            return new StepResult(true, "not deployed by LightMesh: nothing to start");
        }

        await Task.Delay(options.DrainDelay, time, cancellationToken);
        var canaryReplicas = CanaryReplicas(release);
        var started = await ApplyNodesAsync(release, new CanaryDeployment(release.Service, release.Version, canaryReplicas, release.Id, Promoted: true), cancellationToken);
        return started.Result.Succeeded
            ? await WaitForInstancesAsync(release.Service, release.Version, started.Nodes * (deploy.EffectiveReplicas + canaryReplicas), cancellationToken)
            : started.Result;
    }

    /// <summary>
    /// Makes the old version the stable one again. When a promotion may have moved it, the nodes run the old version's
    /// stable containers again (the canary's keep serving meanwhile), and only once they are registered does the stable
    /// subset name it: the traffic never goes to a version that is not running.
    /// </summary>
    private async Task<StepResult> RestoreStableAsync(ReleaseState release, CancellationToken cancellationToken)
    {
        if (!ReleaseMoves.MayHaveMovedStable(release))
        {
            return new StepResult(true, $"stable {release.StableVersion} never moved");
        }

        if (await DeployOf(release, cancellationToken) is { } deploy)
        {
            var named = await traffic.NameDeployedStableAsync(release, release.StableVersion, leader, cancellationToken);
            if (!named.Succeeded)
            {
                return named;
            }

            var started = await ApplyNodesAsync(release, new CanaryDeployment(release.Service, release.Version, CanaryReplicas(release), release.Id, Promoted: true), cancellationToken);
            if (!started.Result.Succeeded)
            {
                return started.Result;
            }

            var up = await WaitForInstancesAsync(release.Service, release.StableVersion, started.Nodes * deploy.EffectiveReplicas, cancellationToken);
            if (!up.Succeeded)
            {
                return up;
            }
        }

        return await traffic.MoveStableAsync(release, release.StableVersion, leader, cancellationToken);
    }

    /// <summary>After a drain, every node runs without this release's canary (the revision it ran before the release, on a rollback).</summary>
    private async Task<StepResult> RemoveCanaryAsync(ReleaseState release, string done, CancellationToken cancellationToken)
    {
        if (await DeployOf(release, cancellationToken) is null)
        {
            return new StepResult(true, $"{done}; not deployed by LightMesh: nothing to remove");
        }

        await Task.Delay(options.DrainDelay, time, cancellationToken);
        var removed = await ApplyNodesAsync(release, null, cancellationToken);
        return removed.Result.Succeeded ? new StepResult(true, $"{done}; canary removed from {removed.Nodes} node(s)") : removed.Result;
    }

    private async Task<ServiceDeployment?> DeployOf(ReleaseState release, CancellationToken cancellationToken) =>
        (await documents.GetAsync(DocumentKind.Service, release.Service, cancellationToken) as MeshService)?.Spec.Deploy;

    private static int CanaryReplicas(ReleaseState release) => release.Spec.Steps.OfType<DeployStep>().FirstOrDefault()?.Replicas ?? 1;
}
