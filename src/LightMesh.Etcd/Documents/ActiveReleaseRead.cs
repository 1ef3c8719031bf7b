using LightMesh.Core.Releases;

namespace LightMesh.Etcd.Documents;

/// <summary>
/// The active releases of the services a user's write concerns, as read, and the guard that they are still so when it
/// commits: a release that starts or ends in between makes the write a conflict to retry, never a write unchecked.
/// </summary>
internal sealed record ActiveReleaseRead(IReadOnlyList<ActiveRelease> Releases, IReadOnlyList<(string Key, long ModRevision)> Reads, string Prefix, long Revision)
{
    // A guard per key is exact; past this many, one guard on the whole folder keeps the transaction within etcd's limit
    // on compares (128 by default), at the price of a conflict when any other release starts meanwhile.
    private const int GuardsPerKey = 16;

    public static async Task<ActiveReleaseRead> ReadAsync(EtcdConnection etcd, IReadOnlySet<string> services, CancellationToken cancellationToken)
    {
        if (services.Count == 0)
        {
            return new ActiveReleaseRead([], [], etcd.Keys.ActiveReleases, 0);
        }

        var response = await etcd.RangePrefixAsync(etcd.Keys.ActiveReleases, 0, cancellationToken);
        var found = response.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8(), kv => (Id: kv.Value.ToStringUtf8(), kv.ModRevision), StringComparer.Ordinal);
        var releases = new List<ActiveRelease>();
        var reads = new List<(string, long)>();
        foreach (var service in services.Order(StringComparer.Ordinal))
        {
            var key = etcd.Keys.ActiveRelease(service);
            if (found.TryGetValue(key, out var active))
            {
                releases.Add(new ActiveRelease(service, active.Id));
                reads.Add((key, active.ModRevision));
            }
            else
            {
                reads.Add((key, 0));
            }
        }

        return new ActiveReleaseRead(releases, reads, etcd.Keys.ActiveReleases, response.Header.Revision);
    }

    /// <summary>
    /// Adds to <paramref name="txn"/> that every key read is as it was (a release still active, or still none); for many
    /// keys, that no release started since the read (one that ended meanwhile only made the check stricter than needed).
    /// </summary>
    public GuardedTxn Guard(GuardedTxn txn)
    {
        if (Reads.Count > GuardsPerKey)
        {
            return txn.UnchangedSince(Prefix, Revision);
        }

        foreach (var (key, modRevision) in Reads)
        {
            txn.AsRead(key, modRevision);
        }

        return txn;
    }
}
