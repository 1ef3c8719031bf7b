using LightMesh.Core.Deployment;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;

namespace LightMesh.Releases.Engine;

/// <summary>
/// The two ways a release ends, promotion and rollback, each a sequence of moves that the release records as begun
/// before making them; every move can run again, and the rollback undoes whatever the recorded promotion moves may have done.
/// </summary>
public sealed partial class ReleaseActions
{
    public async Task<StepResult> PromoteAsync(ReleaseState release, PromotionMove move, CancellationToken cancellationToken) => move switch
    {
        PromotionMove.CanaryTakesAll => await SetCanaryWeightAsync(release, 100, cancellationToken),

        // The stable subset moves to the new version while the canary takes everything, so no request reaches the old
        // version from here on.
        PromotionMove.StableMoved => await traffic.MoveStableAsync(release, release.Version, leader, cancellationToken),
        PromotionMove.NewStableStarted => await StartNewStableAsync(release, cancellationToken),
        PromotionMove.StableTakesAll => await traffic.SetCanaryWeightAsync(release, 0, leader, cancellationToken),
        PromotionMove.CanaryRemoved => await RemoveCanaryAsync(release, $"{release.Version} is stable", cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(move), move, "no such promotion move"),
    };

    public async Task<StepResult> RollBackAsync(ReleaseState release, RollbackMove move, CancellationToken cancellationToken) => move switch
    {
        RollbackMove.StableRestored => await RestoreStableAsync(release, cancellationToken),
        RollbackMove.StableTakesAll => await traffic.IsPreparedAsync(release.Service, cancellationToken)
            ? await traffic.SetCanaryWeightAsync(release, 0, leader, cancellationToken)
            : new StepResult(true, "the routes were never prepared: stable takes everything"),
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
