using System.Globalization;
using System.Text.Json;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;
using Mvccpb;

namespace LightMesh.Etcd.Releases;

/// <summary>How a release write ended.</summary>
public enum ReleaseWriteOutcome
{
    Written,

    /// <summary>Another release of the service is active (on create), or the state changed since it was read (on save).</summary>
    Conflict,

    /// <summary>The writer is no longer the leader; nothing was written.</summary>
    NotLeader,
}

/// <summary>
/// Releases in etcd: each release's state and event log under <c>releases/{id}</c> (its analyses as summaries), the
/// measurements of each analysis run under <c>analyses/{id}/{run}</c>, the release's entry in the release index, and
/// one active release per service under <c>activereleases/{service}</c>. Every write is guarded by what was read and,
/// when a leader term is given, fenced by it, so neither a lost update nor a deposed controller can change a release.
/// </summary>
public sealed class ReleaseStore(EtcdConnection etcd)
{
    /// <summary>
    /// Releases read in one request: a value may be as large as etcd's request limit (1.5 MiB by default), so eight
    /// stay well under the client's maximum message size.
    /// </summary>
    public const int ValuesPerRead = 8;

    private static readonly JsonSerializerOptions Json = ReleaseJson.Options;

    /// <summary>The key holding a release, for watching it.</summary>
    public string KeyOf(string id) => etcd.Keys.Release(id);

    /// <summary>The folder of the service-to-active-release keys, for watching which releases start.</summary>
    public string ActivePrefix => etcd.Keys.ActiveReleases;

    /// <summary>The ids of every active release, and the revision they were read at.</summary>
    public async Task<(IReadOnlyList<string> Ids, long Revision)> ActiveIdsAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.RangePrefixAsync(etcd.Keys.ActiveReleases, 0, cancellationToken);
        return (response.Kvs.Select(kv => kv.Value.ToStringUtf8()).ToList(), response.Header.Revision);
    }

    /// <summary>The release as stored: its analyses are summaries, without measurements.</summary>
    public async Task<(ReleaseState? State, long ModRevision)> GetAsync(string id, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(etcd.Keys.Release(id), cancellationToken);
        return response.Count == 0 ? (null, 0) : (Read(response.Kvs[0]), response.Kvs[0].ModRevision);
    }

    /// <summary>The release with the measurements kept of each analysis metric, read from its analysis runs' keys.</summary>
    public async Task<ReleaseState?> GetWithMeasurementsAsync(string id, CancellationToken cancellationToken)
    {
        var (state, _) = await GetAsync(id, cancellationToken);
        if (state is null || state.Analyses.Count == 0)
        {
            return state;
        }

        var analyses = state.Analyses.ToArray();
        var folder = etcd.Keys.Analyses(id);
        foreach (var kv in (await etcd.RangePrefixAsync(folder, 0, cancellationToken)).Kvs)
        {
            var key = kv.Key.ToStringUtf8();
            if (!int.TryParse(key.AsSpan(folder.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                continue;
            }

            List<AnalysisRecord> run;
            try
            {
                run = JsonSerializer.Deserialize<List<AnalysisRecord>>(kv.Value.Span, Json) ?? [];
            }
            catch (JsonException)
            {
                // Not a run (a hand edit, a bug): the release shows its summaries, as when a run is missing.
                continue;
            }

            foreach (var (record, i) in run.Select((r, i) => (r, i)))
            {
                // A run belongs to the metrics at its position; one that does not match them is not this release's.
                if (first + i < analyses.Length && analyses[first + i] is { } summary && summary.Template == record.Template && summary.Metric == record.Metric)
                {
                    analyses[first + i] = record;
                }
            }
        }

        return state with { Analyses = analyses };
    }

    /// <summary>
    /// The releases of <paramref name="ids"/> that exist, in that order, read <see cref="ValuesPerRead"/> to a request; a
    /// value that is not a release is a failure naming its key.
    /// </summary>
    public async Task<IReadOnlyList<ReleaseState>> GetManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        [.. (await ReadManyAsync(ids, cancellationToken)).Select(r => r.State ?? throw new LightMeshException($"{r.Key}: not a release: {r.Problem}"))];

    /// <summary>As <see cref="GetManyAsync"/>, with a value that is not a release given with its problem instead of failing.</summary>
    public async Task<IReadOnlyList<StoredRelease>> ReadManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        [.. (await etcd.RangeEachAsync([.. ids.Select(id => EtcdConnection.KeyRead(etcd.Keys.Release(id)))], ValuesPerRead, cancellationToken)).SelectMany(r => r.Kvs).Select(Stored)];

    /// <summary>
    /// Reads every release, <see cref="ValuesPerRead"/> to a request and all at one revision, handing each to
    /// <paramref name="each"/> (a value that is not a release comes with the problem, not as an exception); returns
    /// the revision, so a watch for what changes next can start right after it.
    /// </summary>
    public async Task<long> ScanAsync(Action<StoredRelease> each, CancellationToken cancellationToken)
    {
        var from = etcd.Keys.Releases;
        long revision = 0;
        while (true)
        {
            var response = await etcd.RangePageAsync(etcd.Keys.Releases, from, ValuesPerRead, revision, false, cancellationToken);
            revision = revision == 0 ? response.Header.Revision : revision;
            foreach (var kv in response.Kvs)
            {
                each(Stored(kv));
            }

            if (!response.More || response.Kvs.Count == 0)
            {
                return revision;
            }

            from = EtcdConnection.After(response.Kvs[^1].Key.ToStringUtf8());
        }
    }

    public string Prefix => etcd.Keys.Releases;

    /// <summary>Reads a release as a watch gives it.</summary>
    public static ReleaseState Parse(string json) => Deserialize(json);

    /// <summary>How many events of each release have been told to its notification URLs, with each count's revision.</summary>
    public async Task<IReadOnlyDictionary<string, (int Count, long ModRevision)>> NotifiedAsync(CancellationToken cancellationToken) =>
        (await etcd.RangePrefixAsync(etcd.Keys.AllNotified, 0, cancellationToken)).Kvs.ToDictionary(
            kv => kv.Key.ToStringUtf8()[etcd.Keys.AllNotified.Length..],
            kv => (int.Parse(kv.Value.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture), kv.ModRevision),
            StringComparer.Ordinal);

    /// <summary>Records that the first <paramref name="count"/> events were told, if the count is still as read and the term still leads.</summary>
    public async Task<(ReleaseWriteOutcome Outcome, long ModRevision)> SaveNotifiedAsync(string id, int count, long modRevision, LeaderTerm leader, CancellationToken cancellationToken)
    {
        var key = etcd.Keys.Notified(id);
        var (written, revision) = await leader.Fence(new GuardedTxn().AsRead(key, modRevision).Put(key, count.ToString(System.Globalization.CultureInfo.InvariantCulture))).CommitAsync(etcd, cancellationToken);
        return written ? (ReleaseWriteOutcome.Written, revision) : (await leader.IsCurrentAsync(cancellationToken) ? ReleaseWriteOutcome.Conflict : ReleaseWriteOutcome.NotLeader, 0);
    }

    /// <summary>The id of the service's active release, or null.</summary>
    public async Task<string?> ActiveAsync(string service, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(etcd.Keys.ActiveRelease(service), cancellationToken);
        return response.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8();
    }

    /// <summary>
    /// Records a new release as the service's active one, unless another is active. A release of no group is refused
    /// while its service is in an active group; a group's (<see cref="ReleaseState.Group"/>) only while its group is as
    /// the group's runner read it (<paramref name="groupRevision"/>): a group aborted meanwhile starts nothing.
    /// </summary>
    /// <param name="receipt">A key written in the same transaction, with its value: what asked for the release records that it did.</param>
    public async Task<ReleaseWriteOutcome> CreateAsync(ReleaseState state, LeaderTerm? leader, CancellationToken cancellationToken, long groupRevision = 0, KeyValuePair<string, string>? receipt = null)
    {
        var txn = new GuardedTxn()
            .Absent(etcd.Keys.ActiveRelease(state.Service))
            .Absent(etcd.Keys.Release(state.Id));
        if (state.Group is { } group)
        {
            txn.Unchanged(etcd.Keys.Group(group), groupRevision);
        }
        else
        {
            txn.Absent(etcd.Keys.ActiveGroup(state.Service));
        }

        Write(txn, state).Put(etcd.Keys.ActiveRelease(state.Service), state.Id);
        if (receipt is { Key: var key, Value: var value })
        {
            txn.Put(key, value);
        }

        return await CommitAsync(leader is null ? txn : leader.Fence(txn), leader, cancellationToken);
    }

    /// <summary>
    /// Saves a release's new state, guarded by the revision it was read at; a finished release stops being active.
    /// Analysis metrics that carry measurements are new: their run is written to its own key in the same transaction.
    /// </summary>
    public async Task<ReleaseWriteOutcome> SaveAsync(ReleaseState state, long modRevision, LeaderTerm? leader, CancellationToken cancellationToken)
    {
        var txn = Write(new GuardedTxn().Unchanged(etcd.Keys.Release(state.Id), modRevision), state);
        if (state.IsFinished)
        {
            txn.Delete(etcd.Keys.ActiveRelease(state.Service));
        }

        return await CommitAsync(leader is null ? txn : leader.Fence(txn), leader, cancellationToken);
    }

    /// <summary>
    /// Saves what a release's status shows while its command runs (<see cref="ReleaseState.Unmeasured"/>), guarded by the
    /// revision it was read (or last saved) at and fenced by the term, like every save; returns the revision it was saved
    /// at. Only the release's key is written: nothing the index or an analysis run keeps changes while a command runs.
    /// </summary>
    public async Task<(ReleaseWriteOutcome Outcome, long ModRevision)> SaveStatusAsync(ReleaseState state, long modRevision, LeaderTerm leader, CancellationToken cancellationToken)
    {
        var key = etcd.Keys.Release(state.Id);
        var txn = leader.Fence(new GuardedTxn().Unchanged(key, modRevision).Put(key, AsStored(state)));
        var (written, revision) = await txn.CommitAsync(etcd, cancellationToken);
        return written ? (ReleaseWriteOutcome.Written, revision) : (await leader.IsCurrentAsync(cancellationToken) ? ReleaseWriteOutcome.Conflict : ReleaseWriteOutcome.NotLeader, 0);
    }

    private async Task<ReleaseWriteOutcome> CommitAsync(GuardedTxn txn, LeaderTerm? leader, CancellationToken cancellationToken)
    {
        var (succeeded, _) = await txn.CommitAsync(etcd, cancellationToken);
        if (succeeded)
        {
            return ReleaseWriteOutcome.Written;
        }

        return leader is not null && !await leader.IsCurrentAsync(cancellationToken) ? ReleaseWriteOutcome.NotLeader : ReleaseWriteOutcome.Conflict;
    }

    /// <summary>Puts the release (analyses as summaries), its index entry, and each new analysis run with its measurements.</summary>
    private GuardedTxn Write(GuardedTxn txn, ReleaseState state)
    {
        txn.Put(etcd.Keys.Release(state.Id), AsStored(state))
            .Put(etcd.Keys.ReleaseIndexEntry(state.StartedAt, state.Id), JsonSerializer.Serialize(ReleaseListing.Of(state), Json));
        foreach (var (first, run) in NewRuns(state.Analyses))
        {
            txn.Put(etcd.Keys.AnalysisRun(state.Id, first), JsonSerializer.Serialize(run, Json));
        }

        return txn;
    }

    /// <summary>The release's value: its analyses as summaries, their measurements kept under their runs' keys.</summary>
    private static string AsStored(ReleaseState state) =>
        JsonSerializer.Serialize(state with { Analyses = [.. state.Analyses.Select(a => a.ToSummary())] }, Json);

    /// <summary>The metrics with measurements (read back, a state has none), grouped by run: each a contiguous stretch, named by its first position.</summary>
    private static IEnumerable<(int First, IReadOnlyList<AnalysisRecord> Run)> NewRuns(IReadOnlyList<AnalysisRecord> analyses)
    {
        var run = new List<AnalysisRecord>();
        for (var i = 0; i <= analyses.Count; i++)
        {
            if (i < analyses.Count && analyses[i].Measurements.Count > 0)
            {
                run.Add(analyses[i]);
            }
            else if (run.Count > 0)
            {
                yield return (i - run.Count, run);
                run = [];
            }
        }
    }

    private static StoredRelease Stored(KeyValue kv)
    {
        try
        {
            return new StoredRelease(kv.Key.ToStringUtf8(), kv.ModRevision, Deserialize(kv.Value.ToStringUtf8()), null);
        }
        catch (JsonException e)
        {
            return new StoredRelease(kv.Key.ToStringUtf8(), kv.ModRevision, null, e.Message);
        }
    }

    private static ReleaseState Read(KeyValue kv)
    {
        try
        {
            return Deserialize(kv.Value.ToStringUtf8());
        }
        catch (JsonException e)
        {
            throw new LightMeshException($"{kv.Key.ToStringUtf8()}: not a release: {e.Message}", e);
        }
    }

    /// <summary>Reads a release as this version records it, whichever version wrote it (see <see cref="ReleaseUpgrade"/>).</summary>
    private static ReleaseState Deserialize(string json) =>
        ReleaseUpgrade.FromEarlierVersion(JsonSerializer.Deserialize<ReleaseState>(json, Json) ?? throw new JsonException("empty release"));
}
