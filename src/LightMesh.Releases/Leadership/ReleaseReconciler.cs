using System.Runtime.CompilerServices;
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

    /// <summary>
    /// Gives each release that starts after <see cref="ReconcileAsync"/> its workflow, until the term ends. Up to
    /// <see cref="StartingAtOnce"/> are started at a time: each start is two etcd round trips, and one at a time they
    /// could not keep up with releases started a hundred a second (webhooks), which then waited seconds for their first step.
    /// </summary>
    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartAllAsync(StartedAsync(cancellationToken), EnsureWorkflowAsync, logger, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
    }

    /// <summary>How many releases' workflows <see cref="FollowAsync"/> starts at a time.</summary>
    public const int StartingAtOnce = 16;

    /// <summary>
    /// Runs <paramref name="start"/> for each of <paramref name="started"/>, up to <see cref="StartingAtOnce"/> at a time. A
    /// start that finds etcd away is logged and left to the sweep; any other failure ends it all, with that exception.
    /// </summary>
    internal static Task StartAllAsync(IAsyncEnumerable<string> started, Func<string, CancellationToken, Task> start, ILogger logger, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(started, new ParallelOptions { MaxDegreeOfParallelism = StartingAtOnce, CancellationToken = cancellationToken }, async (id, token) =>
        {
            try
            {
                await start(id, token);
            }
            catch (Exception e) when (e is Core.ServerUnreachableException && !token.IsCancellationRequested)
            {
                // etcd is away: the sweep gives the release its workflow once it is back.
                Telemetry.Log.EnsureWorkflowFailed(logger, id, e);
            }
        });

    /// <summary>The ids of the releases that start (become active) after the term's reconciliation, as etcd tells of them.</summary>
    private async IAsyncEnumerable<string> StartedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var update in watcher.WatchAsync(releases.ActivePrefix, _reconciledAt + 1, cancellationToken))
        {
            IReadOnlyList<KeyChange> active = update switch
            {
                WatchChanges changes => changes.Changes,
                WatchResync resync => resync.State,
                _ => [],
            };
            foreach (var change in active.Where(c => !c.IsDelete))
            {
                yield return change.Value!;
            }
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
