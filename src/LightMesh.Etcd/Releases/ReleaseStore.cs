using System.Text.Json;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;

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
/// Releases in etcd: each release's state and event log under <c>releases/{id}</c>, and one active release per service
/// under <c>activereleases/{service}</c>. Every write is guarded by what was read and, when a leader term is given,
/// fenced by it, so neither a lost update nor a deposed controller can change a release.
/// </summary>
public sealed class ReleaseStore(EtcdConnection etcd)
{
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

    public async Task<(ReleaseState? State, long ModRevision)> GetAsync(string id, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(etcd.Keys.Release(id), cancellationToken);
        return response.Count == 0 ? (null, 0) : (Read(response.Kvs[0].Value.ToStringUtf8()), response.Kvs[0].ModRevision);
    }

    public async Task<IReadOnlyList<ReleaseState>> ListAsync(CancellationToken cancellationToken) =>
        (await etcd.RangePrefixAsync(etcd.Keys.Releases, 0, cancellationToken)).Kvs.Select(kv => Read(kv.Value.ToStringUtf8())).OrderBy(r => r.StartedAt).ToList();

    /// <summary>Every release, with the revision they were read at (a watch for what changes next starts right after it).</summary>
    public async Task<(IReadOnlyList<ReleaseState> Releases, long Revision)> ListWithRevisionAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.RangePrefixAsync(etcd.Keys.Releases, 0, cancellationToken);
        return (response.Kvs.Select(kv => Read(kv.Value.ToStringUtf8())).ToList(), response.Header.Revision);
    }

    public string Prefix => etcd.Keys.Releases;

    /// <summary>Reads a release as a watch gives it.</summary>
    public static ReleaseState Parse(string json) => Read(json);

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

    /// <summary>Records a new release as the service's active one, unless another is active.</summary>
    public async Task<ReleaseWriteOutcome> CreateAsync(ReleaseState state, LeaderTerm? leader, CancellationToken cancellationToken)
    {
        var txn = new GuardedTxn()
            .Absent(etcd.Keys.ActiveRelease(state.Service))
            .Absent(etcd.Keys.Release(state.Id))
            .Put(etcd.Keys.Release(state.Id), JsonSerializer.Serialize(state, Json))
            .Put(etcd.Keys.ActiveRelease(state.Service), state.Id);
        return await CommitAsync(leader is null ? txn : leader.Fence(txn), leader, cancellationToken);
    }

    /// <summary>Saves a release's new state, guarded by the revision it was read at; a finished release stops being active.</summary>
    public async Task<ReleaseWriteOutcome> SaveAsync(ReleaseState state, long modRevision, LeaderTerm? leader, CancellationToken cancellationToken)
    {
        var txn = new GuardedTxn().Unchanged(etcd.Keys.Release(state.Id), modRevision).Put(etcd.Keys.Release(state.Id), JsonSerializer.Serialize(state, Json));
        if (state.IsFinished)
        {
            txn.Delete(etcd.Keys.ActiveRelease(state.Service));
        }

        return await CommitAsync(leader is null ? txn : leader.Fence(txn), leader, cancellationToken);
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

    private static ReleaseState Read(string json) =>
        ReleaseUpgrade.FromEarlierVersion(JsonSerializer.Deserialize<ReleaseState>(json, Json) ?? throw new JsonException("empty release"));
}
