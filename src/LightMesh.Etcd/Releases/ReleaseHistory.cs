using System.Text.Json;
using LightMesh.Etcd.Leadership;

namespace LightMesh.Etcd.Releases;

/// <summary>
/// The release index (<c>releaseindex/{order}/{id}</c>, newest start first): pages of releases for the API, the phase of
/// every release for counting, and what retention needs (which ended when), none of it reading a release that is not
/// shown. Also deletes a release with everything kept for it, and indexes releases stored before the index existed.
/// </summary>
public sealed class ReleaseHistory(EtcdConnection etcd, ReleaseStore store)
{
    // Index entries are about 150 bytes: a thousand make a small answer.
    private const int EntriesPerRead = 1000;

    private static readonly JsonSerializerOptions Json = ReleaseJson.Options;

    /// <summary>
    /// One page of the releases <paramref name="query"/> asks for, newest start first, and the token of the next page
    /// if more match. Only the index is scanned; only the releases on the page are read.
    /// </summary>
    public async Task<ReleasePage> ListAsync(ReleaseQuery query, CancellationToken cancellationToken)
    {
        var index = etcd.Keys.ReleaseIndex;
        var from = query.Continue is { } token ? EtcdConnection.After(index + token.Place) : index;
        var matched = new List<StoredListing>();
        long revision = 0;

        // One match more than the page shows says whether there is a next page.
        while (matched.Count <= query.Limit)
        {
            var response = await etcd.RangePageAsync(index, from, Math.Max(query.Limit + 1, 100), revision, false, cancellationToken);
            revision = revision == 0 ? response.Header.Revision : revision;
            matched.AddRange(response.Kvs.Select(Entry).OfType<StoredListing>().Where(e => query.Matches(e.Listing)).Take(query.Limit + 1 - matched.Count));
            if (!response.More || response.Kvs.Count == 0)
            {
                break;
            }

            from = EtcdConnection.After(response.Kvs[^1].Key.ToStringUtf8());
        }

        var page = matched.Take(query.Limit).ToList();
        // A release whose value cannot be read is left out of the page, as its index entry would be; the leader logs it.
        var releases = (await store.ReadManyAsync(page.Select(e => e.Listing.Id).ToList(), cancellationToken)).Select(r => r.State).OfType<Core.Releases.ReleaseState>().Where(query.Matches).ToList();
        return new ReleasePage(releases, matched.Count > query.Limit ? ContinueToken.At(page[^1].Key[index.Length..]) : null);
    }

    /// <summary>Every index entry, read a thousand at a time at one revision.</summary>
    public async Task<IReadOnlyList<StoredListing>> ListingsAsync(CancellationToken cancellationToken)
    {
        var index = etcd.Keys.ReleaseIndex;
        var entries = new List<StoredListing>();
        var from = index;
        long revision = 0;
        while (true)
        {
            var response = await etcd.RangePageAsync(index, from, EntriesPerRead, revision, false, cancellationToken);
            revision = revision == 0 ? response.Header.Revision : revision;
            entries.AddRange(response.Kvs.Select(Entry).OfType<StoredListing>());
            if (!response.More || response.Kvs.Count == 0)
            {
                return entries;
            }

            from = EtcdConnection.After(response.Kvs[^1].Key.ToStringUtf8());
        }
    }

    /// <summary>
    /// Deletes an ended release with its analysis runs, its notification count and its index entry, in one transaction
    /// fenced by the term; a conflict if the entry changed since it was read (then nothing is deleted).
    /// </summary>
    public async Task<ReleaseWriteOutcome> DeleteAsync(StoredListing entry, LeaderTerm leader, CancellationToken cancellationToken)
    {
        var id = entry.Listing.Id;
        var txn = new GuardedTxn()
            .Unchanged(entry.Key, entry.ModRevision)
            .Delete(etcd.Keys.Release(id))
            .DeletePrefix(etcd.Keys.Analyses(id))
            .Delete(etcd.Keys.Notified(id))
            .Delete(entry.Key);
        var (deleted, _) = await leader.Fence(txn).CommitAsync(etcd, cancellationToken);
        return deleted ? ReleaseWriteOutcome.Written : await leader.IsCurrentAsync(cancellationToken) ? ReleaseWriteOutcome.Conflict : ReleaseWriteOutcome.NotLeader;
    }

    /// <summary>
    /// Gives every release stored before the index existed its entry (each write guarded by the release's revision, so
    /// a release saved meanwhile keeps the entry its save wrote). Cheap when there is nothing to do: two counts, which
    /// differ by the <paramref name="unreadable"/> keys known not to be releases. Returns how many were indexed and the
    /// keys that are not releases.
    /// </summary>
    public async Task<(int Indexed, IReadOnlyList<StoredRelease> Unreadable)> BackfillAsync(LeaderTerm leader, int unreadable, CancellationToken cancellationToken)
    {
        if (await etcd.CountPrefixAsync(etcd.Keys.Releases, cancellationToken) <= await etcd.CountPrefixAsync(etcd.Keys.ReleaseIndex, cancellationToken) + unreadable)
        {
            return (0, []);
        }

        var indexed = (await ListingsAsync(cancellationToken)).Select(e => e.Listing.Id).ToHashSet(StringComparer.Ordinal);
        var missing = new List<StoredRelease>();
        var problems = new List<StoredRelease>();
        await store.ScanAsync(
            stored =>
            {
                if (stored.State is null)
                {
                    problems.Add(stored);
                }
                else if (!indexed.Contains(stored.State.Id))
                {
                    missing.Add(stored);
                }
            },
            cancellationToken);
        var written = 0;
        foreach (var stored in missing)
        {
            var state = stored.State!;
            var txn = new GuardedTxn()
                .Unchanged(stored.Key, stored.ModRevision)
                .Put(etcd.Keys.ReleaseIndexEntry(state.StartedAt, state.Id), JsonSerializer.Serialize(ReleaseListing.Of(state), Json));
            var (succeeded, _) = await leader.Fence(txn).CommitAsync(etcd, cancellationToken);
            written += succeeded ? 1 : 0;
        }

        return (written, problems);
    }

    /// <summary>How many keys the history holds: releases and analysis runs.</summary>
    public async Task<(long Releases, long AnalysisRuns)> CountAsync(CancellationToken cancellationToken) =>
        (await etcd.CountPrefixAsync(etcd.Keys.Releases, cancellationToken), await etcd.CountPrefixAsync(etcd.Keys.AllAnalyses, cancellationToken));

    /// <summary>An index entry; null for one that cannot be read, which lists nothing (the release itself is untouched).</summary>
    private static StoredListing? Entry(Mvccpb.KeyValue kv)
    {
        try
        {
            return JsonSerializer.Deserialize<ReleaseListing>(kv.Value.Span, Json) is { } listing ? new StoredListing(kv.Key.ToStringUtf8(), kv.ModRevision, listing) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
