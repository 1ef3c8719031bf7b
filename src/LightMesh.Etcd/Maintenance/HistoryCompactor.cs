using System.Globalization;
using Grpc.Core;
using LightMesh.Core;
using LightMesh.Etcd.Leadership;
using Mvccpb;

namespace LightMesh.Etcd.Maintenance;

/// <summary>
/// Keeps etcd's history bounded. etcd keeps every earlier value of every key (what a watch resumes from and a read at a
/// revision sees) until it is compacted; never compacted, it grows with every write, slows down, and at its space quota
/// refuses writes, route changes and rollbacks among them. Each round compacts the history up to a mark set at least
/// one period earlier and sets a new mark, so etcd keeps between one and two periods of it.
/// </summary>
/// <remarks>
/// The mark is a key, <see cref="KeyLayout.CompactionMark"/>: its mod revision is where the next round cuts, its value
/// the time it was set. It is kept in etcd, so a controller that has just started or taken over goes on from the last
/// leader's mark instead of waiting a period to set its own. etcd's history is one for the whole cluster, so this
/// compacts keys outside the prefix too, as Kubernetes' API server does.
/// </remarks>
public sealed class HistoryCompactor(EtcdConnection etcd, TimeProvider time)
{
    /// <summary>
    /// One round: compacts up to the mark if it was set at least <paramref name="period"/> ago, then sets a new mark (a
    /// write fenced by <paramref name="leader"/>'s term). Returns the revision compacted up to, or null when the mark was
    /// too recent, absent or unreadable.
    /// </summary>
    public async Task<long?> CompactAsync(TimeSpan period, LeaderTerm leader, CancellationToken cancellationToken)
    {
        var key = etcd.Keys.CompactionMark;
        var read = await etcd.GetAsync(key, cancellationToken);
        var mark = read.Kvs.FirstOrDefault();
        var now = time.GetUtcNow();
        long? compacted = null;
        if (mark is not null && SetAt(mark) is { } setAt && setAt <= now)
        {
            if (now - setAt < period)
            {
                return null;
            }

            await CompactUpToAsync(mark.ModRevision, cancellationToken);
            compacted = mark.ModRevision;
        }

        // A mark from the future (another controller's clock is ahead) is set again by this clock rather than waited for.
        // Two controllers that both believe they lead set one mark between them: the write is guarded by the one read.
        await leader.Fence(new GuardedTxn().AsRead(key, mark?.ModRevision ?? 0))
            .Put(key, now.ToString("O", CultureInfo.InvariantCulture)).CommitAsync(etcd, cancellationToken);
        return compacted;
    }

    private async Task CompactUpToAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            await etcd.CompactAsync(revision, physical: false, cancellationToken);
        }
        catch (LightMeshException e) when (e.InnerException is RpcException { StatusCode: StatusCode.OutOfRange })
        {
            // Compacted at or past it already: by etcd's own --auto-compaction-*, or by a controller of another prefix.
        }
    }

    private static DateTimeOffset? SetAt(KeyValue mark) =>
        DateTimeOffset.TryParseExact(mark.Value.ToStringUtf8(), "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
}
