using LightMesh.Etcd.Releases;
using LightMesh.Etcd.Watching;
using LightMesh.DurableExecution;
using Microsoft.Extensions.Logging;
using WorkflowCore.Interface;
using LightMesh.Releases.Runs;
using LightMesh.Releases.Steps;

namespace LightMesh.Releases.Leadership;

/// <summary>
/// Gives every active release a running workflow for one leadership term: all of them as the term begins (with their timed
/// pauses re-armed at their original deadlines, and their background analyses), then each release that starts, on any
/// controller, as etcd tells of it.
/// </summary>
public sealed class ReleaseReconciler(
    IWorkflowHost host,
    EtcdPersistenceProvider workflows,
    ReleaseStore releases,
    PrefixWatcher watcher,
    ReleaseTimers timers,
    BackgroundAnalyses background,
    ILogger<EngineTerm> logger) // the term's category: where its lines have always been
{
    /// <summary>The revision the term's reconciliation read at; the watch for new releases starts right after it.</summary>
    private long _reconciledAt;

    /// <summary>Gives every release active now its workflow, timer and background analysis; returns how many there are.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var (ids, revision) = await releases.ActiveIdsAsync(cancellationToken);
        _reconciledAt = revision;
        foreach (var id in ids)
        {
            await EnsureWorkflowAsync(id, cancellationToken);
            if ((await releases.GetAsync(id, cancellationToken)).State is { } state)
            {
                timers.Arm(id, state.PauseUntil ?? DateTimeOffset.MinValue);
                background.Ensure(state);
            }
        }

        return ids.Count;
    }

    /// <summary>Gives each release that starts after <see cref="ReconcileAsync"/> its workflow, until the term ends.</summary>
    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in watcher.WatchAsync(releases.ActivePrefix, _reconciledAt + 1, cancellationToken))
            {
                var started = update switch
                {
                    WatchChanges changes => changes.Changes.Where(c => c.Value is not null).Select(c => c.Value!).ToList(),
                    WatchResync resync => resync.State.Select(c => c.Value!).ToList(),
                    _ => [],
                };
                foreach (var id in started)
                {
                    try
                    {
                        await EnsureWorkflowAsync(id, cancellationToken);
                    }
                    catch (Exception e) when (e is Core.ServerUnreachableException && !cancellationToken.IsCancellationRequested)
                    {
                        // etcd is away: the sweep gives the release its workflow once it is back.
                        Telemetry.Log.EnsureWorkflowFailed(logger, id, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }

    /// <summary>Starts the release's workflow unless it has one.</summary>
    public async Task EnsureWorkflowAsync(string releaseId, CancellationToken cancellationToken)
    {
        if (await workflows.GetWorkflowInstance(releaseId, cancellationToken) is not null)
        {
            return;
        }

        try
        {
            await host.StartWorkflow(DurableRun.Name, 1, new ReleaseRunData { ReleaseId = releaseId }, releaseId);
        }
        catch (Core.LightMeshException e) when (e is not NotLeaderException)
        {
            // Started at the same moment by the other path (term start, or the watch), unless it is really missing.
            if (await workflows.GetWorkflowInstance(releaseId, cancellationToken) is null)
            {
                throw;
            }
        }
    }
}
