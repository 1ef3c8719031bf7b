using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;
using LightMesh.Releases.Telemetry;
using LightMesh.DurableExecution;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Leadership;

/// <summary>
/// Keeps the release history bounded while this controller leads: indexes releases stored before the release index,
/// deletes the ended releases past retention (beyond the newest <see cref="ReleaseEngineOptions.ReleaseHistory"/> of a
/// service, or ended more than <see cref="ReleaseEngineOptions.ReleaseHistoryAge"/> ago) with everything kept for them,
/// and reports the keys kept. It reads only the index, never a release. Ended group releases follow the same rule, per
/// group workflow, once every transition has been told to their notification URLs.
/// </summary>
public sealed class ReleaseHistoryKeeper(ReleaseHistory history, ReleaseGroupStore groups, LeaderTerm leader, ReleaseEngineOptions options, TimeProvider time, ILogger<ReleaseHistoryKeeper> logger) : ITermLoop
{
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);

    /// <summary>A round at the start of the term and every <see cref="ReleaseEngineOptions.HistoryInterval"/>, until the term ends.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await KeepAsync(cancellationToken);
                }
                catch (Exception e) when (e is Core.LightMeshException and not NotLeaderException or Grpc.Core.RpcException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
                {
                    Log.HistoryInterrupted(logger, e);
                }

                await Task.Delay(options.HistoryInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended.
        }
        catch (NotLeaderException)
        {
            // Deposed: the next leader keeps the history.
        }
        finally
        {
            ReleaseMetrics.ForgetHistory();
        }
    }

    /// <summary>One round: index what is not, delete what is past retention, count what is kept.</summary>
    public async Task KeepAsync(CancellationToken cancellationToken)
    {
        var (indexed, unreadable) = await history.BackfillAsync(leader, _unreadable.Count, cancellationToken);
        if (indexed > 0)
        {
            Log.HistoryIndexed(logger, indexed);
        }

        foreach (var stored in unreadable.Where(u => _unreadable.Add(u.Key)))
        {
            Log.HistoryUnreadable(logger, stored.Key, stored.Problem ?? "");
        }

        var ended = (await history.ListingsAsync(cancellationToken)).Where(e => e.Listing.EndedAt is not null).ToList();
        var now = time.GetUtcNow();
        var retention = new ReleaseRetention(options.ReleaseHistory, options.ReleaseHistoryAge);
        var deleted = await DeleteExpiredAsync(
            ended, e => new EndedRelease(e.Key, e.Listing.Service, e.Listing.EndedAt!.Value), retention, now, e => history.DeleteAsync(e, leader, cancellationToken));
        if (deleted > 0)
        {
            Log.HistoryDeleted(logger, deleted, retention.Keep, now - retention.MaxAge);
        }

        await KeepGroupsAsync(retention, now, cancellationToken);

        var (releases, runs) = await history.CountAsync(cancellationToken);
        ReleaseMetrics.CountHistory(releases, runs);
    }

    /// <summary>Deletes the ended group releases past <paramref name="retention"/>, counted per group workflow, that have nothing left to tell.</summary>
    private async Task KeepGroupsAsync(ReleaseRetention retention, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ended = (await groups.ListStoredAsync(cancellationToken)).Where(g => g.State is { IsFinished: true, HasUntold: false, EndedAt: not null }).ToList();
        var deleted = await DeleteExpiredAsync(
            ended, g => new EndedRelease(g.State.Id, g.State.Workflow, g.State.EndedAt!.Value), retention, now, g => groups.DeleteAsync(g.State, g.ModRevision, leader, cancellationToken));
        if (deleted > 0)
        {
            Log.GroupHistoryDeleted(logger, deleted, retention.Keep, now - retention.MaxAge);
        }
    }

    /// <summary>
    /// Deletes each of <paramref name="ended"/> that <paramref name="retention"/> says is past it (seen as
    /// <paramref name="asEnded"/> says) with <paramref name="delete"/>; how many were deleted. A deposed leader stops.
    /// </summary>
    private async Task<int> DeleteExpiredAsync<T>(
        IReadOnlyList<T> ended, Func<T, EndedRelease> asEnded, ReleaseRetention retention, DateTimeOffset now, Func<T, Task<ReleaseWriteOutcome>> delete)
    {
        var expired = retention.Expired(ended.Select(asEnded), now).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var item in ended.Where(e => expired.Contains(asEnded(e).Id)))
        {
            switch (await delete(item))
            {
                case ReleaseWriteOutcome.Written:
                    deleted++;
                    break;
                case ReleaseWriteOutcome.NotLeader:
                    throw new NotLeaderException(leader.Revision);
            }
        }

        return deleted;
    }
}
