using LightMesh.Core.Deployment;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;

namespace LightMesh.Releases.Engine;

/// <summary>The two ways a release ends: promotion and rollback, each a sequence every part of which can run again.</summary>
public sealed partial class ReleaseActions
{
    public async Task<StepResult> PromoteAsync(ReleaseState release, CancellationToken cancellationToken)
    {
        var all = await SetCanaryWeightAsync(release, 100, cancellationToken);
        if (!all.Succeeded)
        {
            return all;
        }

        // The stable subset moves to the new version while the canary still takes everything, so no request reaches
        // the old version from here on.
        var moved = await traffic.MoveStableAsync(release, leader, cancellationToken);
        if (!moved.Succeeded)
        {
            return moved;
        }

        var deploy = (await documents.GetAsync(DocumentKind.Service, release.Service, cancellationToken) as MeshService)?.Spec.Deploy;
        if (deploy is not null)
        {
            await Task.Delay(options.DrainDelay, time, cancellationToken);
            var canaryReplicas = release.Spec.Steps.OfType<DeployStep>().FirstOrDefault()?.Replicas ?? 1;
            var promoted = new CanaryDeployment(release.Service, release.Version, canaryReplicas, release.Id, Promoted: true);
            var started = await ApplyNodesAsync(release, promoted, cancellationToken);
            if (!started.Result.Succeeded)
            {
                return started.Result;
            }

            var up = await WaitForInstancesAsync(release.Service, release.Version, started.Nodes * (deploy.EffectiveReplicas + canaryReplicas), cancellationToken);
            if (!up.Succeeded)
            {
                return up;
            }
        }

        var stable = await traffic.SetCanaryWeightAsync(release, 0, leader, cancellationToken);
        if (!stable.Succeeded || deploy is null)
        {
            return stable;
        }

        await Task.Delay(options.DrainDelay, time, cancellationToken);
        var removed = await ApplyNodesAsync(release, null, cancellationToken);
        return removed.Result.Succeeded ? new StepResult(true, $"{release.Version} is stable on {removed.Nodes} node(s)") : removed.Result;
    }

    public async Task<StepResult> RollBackAsync(ReleaseState release, CancellationToken cancellationToken)
    {
        if (await traffic.IsPreparedAsync(release.Service, cancellationToken))
        {
            var stable = await traffic.SetCanaryWeightAsync(release, 0, leader, cancellationToken);
            if (!stable.Succeeded)
            {
                return stable;
            }
        }

        // Applying the nodes without this release's canary renders the plan they ran before it: the same revision.
        var removed = await ApplyNodesAsync(release, null, cancellationToken);
        return removed.Result.Succeeded ? new StepResult(true, $"stable {release.StableVersion} takes 100%; canary removed") : removed.Result;
    }
}
