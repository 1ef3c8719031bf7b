using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Reports;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leadership;

namespace LightMesh.Releases.Steps;

/// <summary>
/// A release's traffic commands: each is one guarded etcd write, fenced by the controller's leadership term, and is
/// done only when every proxy of the mesh that uses the service, on any controller, has ACKed what was built from that write. Re-running one after a
/// crash writes nothing new (the documents already say so) and waits again.
/// A write is first planned on the control plane's copy of the documents (<see cref="EtcdMeshSource.Documents"/>), which
/// the watch keeps, instead of a read of every document from etcd; see <see cref="WriteAsync"/> for why that is safe.
/// </summary>
public sealed class TrafficSteps(DocumentStore documents, EtcdMeshSource watched, MeshProxies proxies, TimeSpan convergenceTimeout, TimeProvider time)
{
    private const int MaxWriteAttempts = 20;

    /// <summary>Gives the service's route rules the stable and canary subsets, keeping everything else a user wrote.</summary>
    public Task<StepResult> PrepareAsync(ReleaseState release, LeaderTerm leader, CancellationToken cancellationToken) =>
        WriteAsync(release.Service, "route rules prepared", async snapshot =>
        {
            var (rule, routes, failure) = Prepared(snapshot, release);
            return failure is not null
                ? (null, failure)
                : (await documents.ApplyAsync(snapshot, [new SourcedDocument(rule!, "release"), new SourcedDocument(routes!, "release")], leader, cancellationToken), null);
        }, cancellationToken);

    /// <summary>
    /// Sends <paramref name="weight"/> percent to canary and the rest to stable, with the release's own routes in force
    /// (a mirror route follows the weights), in one write; then waits for the proxies.
    /// </summary>
    public Task<StepResult> SetCanaryWeightAsync(ReleaseState release, int weight, LeaderTerm leader, CancellationToken cancellationToken) =>
        RewriteRoutesAsync(release, $"canary at {weight}%", routes => ReleaseTraffic.WithCanaryWeight(routes, release, weight), leader, cancellationToken);

    /// <summary>Gives the service's VirtualService exactly the routes of its own <paramref name="release"/> holds, then waits for the proxies.</summary>
    public Task<StepResult> SetReleaseRoutesAsync(ReleaseState release, string what, LeaderTerm leader, CancellationToken cancellationToken) =>
        RewriteRoutesAsync(release, what, routes => new(ReleaseTraffic.WithReleaseRoutes(routes, release), null), leader, cancellationToken);

    /// <summary>
    /// Sends everything to stable in one write: no route of the release's own, the default route stable 100%; then waits
    /// for the proxies. Routes that send nothing to the canary already are not written again, only waited for.
    /// </summary>
    public Task<StepResult> AllToStableAsync(ReleaseState release, LeaderTerm leader, CancellationToken cancellationToken) =>
        WriteAsync(release.Service, "stable takes 100%", async snapshot =>
        {
            var routes = snapshot.RoutesOf(release.Service);
            return routes is not null && ReleaseTraffic.HoldsCanary(routes)
                ? (await documents.ApplyAsync(snapshot, [new SourcedDocument(ReleaseTraffic.AllToStable(routes), "release")], leader, cancellationToken), null)
                : (new WriteResult(WriteOutcome.Applied, [], [], routes is null ? snapshot.Revision : snapshot.Find(DocumentKind.VirtualService, routes.Name)!.ModRevision), null);
        }, cancellationToken);

    /// <summary>
    /// Reads the service's VirtualService, writes what <paramref name="change"/> makes of it, then waits for the proxies.
    /// Routes that are not split between stable and canary yet (a traffic step re-run after a user's forced write, or
    /// reached by promote-full) are prepared in the same write.
    /// </summary>
    private Task<StepResult> RewriteRoutesAsync(ReleaseState release, string what, Func<VirtualService, WeightChangeResult> change, LeaderTerm leader, CancellationToken cancellationToken) =>
        WriteAsync(release.Service, what, async snapshot =>
        {
            var written = new List<SourcedDocument>();
            var routes = snapshot.RoutesOf(release.Service);
            if (routes is null || !ReleaseTraffic.IsSplit(routes))
            {
                var (rule, prepared, failure) = Prepared(snapshot, release);
                if (failure is not null)
                {
                    return (null, failure);
                }

                written.Add(new SourcedDocument(rule!, "release"));
                routes = prepared!;
            }

            var changed = change(routes);
            if (changed.Updated is null)
            {
                return (null, $"{what}: {changed.Error}");
            }

            written.Add(new SourcedDocument(changed.Updated, "release"));
            return (await documents.ApplyAsync(snapshot, written, leader, cancellationToken), null);
        }, cancellationToken);

    /// <summary>The service's route rules with the stable and canary subsets, or why they cannot be made.</summary>
    private static (DestinationRule? Rule, VirtualService? Routes, string? Failure) Prepared(DocumentSnapshot snapshot, ReleaseState release)
    {
        if (snapshot.Find(DocumentKind.Service, release.Service)?.Document is not MeshService service)
        {
            return (null, null, $"no Service named \"{release.Service}\"");
        }

        var (rule, routes) = ReleaseTraffic.Prepare(service, snapshot.RuleOf(release.Service), snapshot.RoutesOf(release.Service), release.StableVersion, release.Version);
        return (rule, routes, null);
    }

    /// <summary>
    /// Names <paramref name="version"/> the stable version in one write: the stable subset selects it, and a deployed
    /// service's <c>deploy.versions.stable</c> names it; then waits for the proxies.
    /// </summary>
    public Task<StepResult> MoveStableAsync(ReleaseState release, string version, LeaderTerm leader, CancellationToken cancellationToken) =>
        NameStableAsync(release, version, subset: true, leader, cancellationToken);

    /// <summary>
    /// Names <paramref name="version"/> in a deployed service's <c>deploy.versions.stable</c> only, so its nodes run it
    /// once applied, while the traffic stays as it is.
    /// </summary>
    public Task<StepResult> NameDeployedStableAsync(ReleaseState release, string version, LeaderTerm leader, CancellationToken cancellationToken) =>
        NameStableAsync(release, version, subset: false, leader, cancellationToken);

    private Task<StepResult> NameStableAsync(ReleaseState release, string version, bool subset, LeaderTerm leader, CancellationToken cancellationToken) =>
        WriteAsync(release.Service, $"stable is now {version}", async snapshot =>
        {
            var rule = snapshot.RuleOf(release.Service);
            if (rule is null || snapshot.Find(DocumentKind.Service, release.Service)?.Document is not MeshService service)
            {
                return (null, $"the Service or DestinationRule of {release.Service} is gone");
            }

            var changed = new List<SourcedDocument>();
            if (subset)
            {
                changed.Add(new(ReleaseTraffic.MoveStableTo(rule, version), "release"));
            }

            if (service.Spec.Deploy is { } deploy)
            {
                changed.Add(new SourcedDocument(service with { Spec = service.Spec with { Deploy = deploy with { StableVersion = version } } }, "release"));
            }

            return changed.Count == 0
                ? (new WriteResult(WriteOutcome.Applied, [], [], snapshot.Find(DocumentKind.DestinationRule, rule.Name)!.ModRevision), null)
                : (await documents.ApplyAsync(snapshot, changed, leader, cancellationToken), null);
        }, cancellationToken);

    /// <summary>
    /// Makes a guarded write, reading and trying again while it conflicts: other releases (and users) write documents
    /// at the same time. A conflict is never a reason to fail a step: after <see cref="MaxWriteAttempts"/> the step is
    /// not yet done and is tried again later, which frees its worker meanwhile. Then waits for the proxies.
    /// <para>
    /// The first try plans the write on the watched copy of the documents, which may be behind etcd. What it plans is
    /// trusted only when a transaction decided it: a write (or a write of nothing new) commits only if every document it
    /// read is still at the revision the copy holds (<see cref="DocumentStore.ApplyAsync(DocumentSnapshot, IReadOnlyList{SourcedDocument}, LeaderTerm, CancellationToken)"/>),
    /// and fails as a conflict otherwise. Anything else decided on the copy (nothing to write, a failure) is decided
    /// again on a read from etcd, as is every try after a conflict.
    /// </para>
    /// </summary>
    private async Task<StepResult> WriteAsync(string service, string what, Func<DocumentSnapshot, Task<(WriteResult? Result, string? Failure)>> attempt, CancellationToken cancellationToken)
    {
        for (var tries = 1; ; tries++)
        {
            var copy = tries == 1 ? watched.Documents() : null;
            var (result, failure) = await attempt(copy ?? await documents.ReadAsync(cancellationToken));
            if (copy is not null && !DecidedByEtcd(result))
            {
                (result, failure) = await attempt(await documents.ReadAsync(cancellationToken));
            }

            if (result is null)
            {
                return StepResult.Failed(failure!);
            }

            if (result.Outcome != WriteOutcome.Conflict)
            {
                return await ConvergedAsync(result, service, what, cancellationToken);
            }

            if (tries == MaxWriteAttempts)
            {
                return new StepResult(false, $"{what}: not written, the documents changed under each of {MaxWriteAttempts} tries: {result.Message}", NotYet: true);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * Math.Min(tries, 10))), time, cancellationToken);
        }
    }

    /// <summary>
    /// Whether etcd decided <paramref name="result"/> in a transaction: a committed write names each document it
    /// wrote or kept; a conflict or a lost term is a failed compare. A result without changes was decided on the read.
    /// </summary>
    private static bool DecidedByEtcd(WriteResult? result) =>
        result is { Outcome: WriteOutcome.Applied, Changes.Count: > 0 } or { Outcome: WriteOutcome.Conflict or WriteOutcome.NotLeader };

    private async Task<StepResult> ConvergedAsync(WriteResult write, string service, string what, CancellationToken cancellationToken)
    {
        if (write.Outcome != WriteOutcome.Applied)
        {
            var why = write.Message ?? string.Join("; ", write.Errors);
            return new StepResult(false, $"{what}: not written ({write.Outcome}): {why}", NotLeader: write.Outcome == WriteOutcome.NotLeader);
        }

        var converged = await proxies.WaitForConvergenceAsync(write.Revision, service, convergenceTimeout, cancellationToken);
        if (converged.Converged)
        {
            return new StepResult(true, $"{what}; {converged.Proxies} prox{(converged.Proxies == 1 ? "y" : "ies")} converged", write.Revision);
        }

        // Written, but not everywhere yet: the step is tried again (writing nothing new) until its progress deadline.
        var behind = converged switch
        {
            { ReportsRead: false } => "the other controllers' reports of their proxies could not be read from etcd",
            { Lagging.Count: 0 } => $"this controller has published snapshots up to revision {converged.PublishedRevision}, not yet {write.Revision}",
            _ => $"{converged.Lagging.Count} prox{(converged.Lagging.Count == 1 ? "y" : "ies")} did not converge: {string.Join(", ", converged.Lagging)}",
        };

        // Why this controller's own proxies cannot have it yet, when that is the reason: its log has the rest (event 2016).
        var notBuilt = converged.NotBuilt is { } failure && failure.Revision >= write.Revision ? $"; this controller {failure}" : "";
        return new StepResult(false, $"{what}, but within {convergenceTimeout.TotalSeconds}s {behind}{notBuilt}", write.Revision, NotYet: true);
    }
}
