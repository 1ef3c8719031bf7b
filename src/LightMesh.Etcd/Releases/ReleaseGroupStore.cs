using System.Text.Json;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;

namespace LightMesh.Etcd.Releases;

/// <summary>
/// Group releases in etcd: each group's state and log under <c>groups/{id}</c>, and one active group per service under
/// <c>activegroups/{service}</c>, written with the group and removed with its end. A service in an active group starts
/// no release of its own (<see cref="ReleaseStore.CreateAsync"/> is guarded by that key). Every write is guarded by what
/// was read and, when a leader term is given, fenced by it.
/// </summary>
public sealed class ReleaseGroupStore(EtcdConnection etcd)
{
    private static readonly JsonSerializerOptions Json = ReleaseJson.Options;

    /// <summary>The key holding a group, for guarding a write on it or watching it.</summary>
    public string KeyOf(string id) => etcd.Keys.Group(id);

    /// <summary>The folder of every group, for watching them.</summary>
    public string Prefix => etcd.Keys.Groups;

    /// <summary>
    /// Records a new group release as the active group of each of its members' services, unless one of them is in
    /// another active group or has an active release of its own.
    /// </summary>
    public async Task<ReleaseWriteOutcome> CreateAsync(ReleaseGroupState group, CancellationToken cancellationToken)
    {
        var txn = new GuardedTxn().Absent(etcd.Keys.Group(group.Id)).Put(etcd.Keys.Group(group.Id), Write(group));
        foreach (var member in group.Members)
        {
            txn.Absent(etcd.Keys.ActiveGroup(member.Service)).Absent(etcd.Keys.ActiveRelease(member.Service)).Put(etcd.Keys.ActiveGroup(member.Service), group.Id);
        }

        return (await txn.CommitAsync(etcd, cancellationToken)).Succeeded ? ReleaseWriteOutcome.Written : ReleaseWriteOutcome.Conflict;
    }

    /// <summary>The group as stored and the revision it was read at; null and 0 when there is none.</summary>
    public async Task<(ReleaseGroupState? State, long ModRevision)> GetAsync(string id, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(etcd.Keys.Group(id), cancellationToken);
        return response.Count == 0 ? (null, 0) : (Read(response.Kvs[0].Key.ToStringUtf8(), response.Kvs[0].Value.ToStringUtf8()), response.Kvs[0].ModRevision);
    }

    /// <summary>
    /// Saves a group's new state, guarded by the revision it was read at; returns the revision written at (0 when not
    /// written). An ended group frees its services.
    /// </summary>
    public async Task<(ReleaseWriteOutcome Outcome, long Revision)> SaveAsync(ReleaseGroupState group, long modRevision, LeaderTerm? leader, CancellationToken cancellationToken)
    {
        var txn = new GuardedTxn().Unchanged(etcd.Keys.Group(group.Id), modRevision).Put(etcd.Keys.Group(group.Id), Write(group));
        if (group.IsFinished)
        {
            foreach (var member in group.Members)
            {
                txn.Delete(etcd.Keys.ActiveGroup(member.Service));
            }
        }

        var (written, revision) = await (leader is null ? txn : leader.Fence(txn)).CommitAsync(etcd, cancellationToken);
        if (written)
        {
            return (ReleaseWriteOutcome.Written, revision);
        }

        return (leader is not null && !await leader.IsCurrentAsync(cancellationToken) ? ReleaseWriteOutcome.NotLeader : ReleaseWriteOutcome.Conflict, 0);
    }

    /// <summary>The active group <paramref name="service"/> is a member of, if any.</summary>
    public async Task<string?> ActiveGroupOfAsync(string service, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(etcd.Keys.ActiveGroup(service), cancellationToken);
        return response.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8();
    }

    /// <summary>The ids of every active group.</summary>
    public async Task<IReadOnlyList<string>> ActiveIdsAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.RangePrefixAsync(etcd.Keys.ActiveGroups, 0, cancellationToken);
        return [.. response.Kvs.Select(kv => kv.Value.ToStringUtf8()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Every group stored, newest start first.</summary>
    public async Task<IReadOnlyList<ReleaseGroupState>> ListAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.RangePrefixAsync(etcd.Keys.Groups, 0, cancellationToken);
        return [.. response.Kvs.Select(kv => Read(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8())).OrderByDescending(g => g.StartedAt).ThenBy(g => g.Id, StringComparer.Ordinal)];
    }

    private static string Write(ReleaseGroupState group) => JsonSerializer.Serialize(group, Json);

    private static ReleaseGroupState Read(string key, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ReleaseGroupState>(json, Json) ?? throw new LightMeshException($"{key}: holds null, not a group release");
        }
        catch (JsonException e)
        {
            throw new LightMeshException($"{key}: not a group release: {e.Message}", e);
        }
    }
}
