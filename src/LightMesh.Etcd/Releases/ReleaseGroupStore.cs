using System.Text.Json;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Leadership;

namespace LightMesh.Etcd.Releases;

/// <summary>
/// Group releases in etcd: each group's state and log under <c>groups/{id}</c>, and one active group per service under
/// <c>activegroups/{service}</c>, written with the group and removed with its end. A service in an active group starts
/// no release of its own (<see cref="ReleaseStore.CreateAsync"/> is guarded by that key). <c>untoldgroups/{id}</c> is
/// there exactly while the group has transitions its notification URLs have not been told, written and removed in the
/// same transaction as the group, so the notifier reads only those. Every write is guarded by what was read and, when a
/// leader term is given, fenced by it.
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
        var txn = Untold(new GuardedTxn().Absent(etcd.Keys.Group(group.Id)).Put(etcd.Keys.Group(group.Id), Write(group)), group);
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
        var txn = Untold(new GuardedTxn().Unchanged(etcd.Keys.Group(group.Id), modRevision).Put(etcd.Keys.Group(group.Id), Write(group)), group);
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
    public async Task<IReadOnlyList<ReleaseGroupState>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await ListStoredAsync(cancellationToken)).Select(g => g.State)];

    /// <summary>Every group stored with the revision it was read at, newest start first.</summary>
    public async Task<IReadOnlyList<(ReleaseGroupState State, long ModRevision)>> ListStoredAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.RangePrefixAsync(etcd.Keys.Groups, 0, cancellationToken);
        return [.. response.Kvs.Select(kv => (State: Read(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8()), kv.ModRevision))
            .OrderByDescending(g => g.State.StartedAt).ThenBy(g => g.State.Id, StringComparer.Ordinal)];
    }

    /// <summary>The ids of the groups with transitions still to tell their notification URLs.</summary>
    public async Task<IReadOnlyList<string>> UntoldIdsAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.RangePrefixAsync(etcd.Keys.UntoldGroups, 0, cancellationToken);
        return [.. response.Kvs.Select(kv => kv.Key.ToStringUtf8()[etcd.Keys.UntoldGroups.Length..]).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Deletes an ended group that is past retention, unless it changed since it was read at <paramref name="modRevision"/>
    /// or still has transitions to tell; fenced by <paramref name="leader"/>.
    /// </summary>
    public async Task<ReleaseWriteOutcome> DeleteAsync(ReleaseGroupState group, long modRevision, LeaderTerm leader, CancellationToken cancellationToken)
    {
        if (!group.IsFinished || group.HasUntold)
        {
            return ReleaseWriteOutcome.Conflict;
        }

        var txn = new GuardedTxn().Unchanged(etcd.Keys.Group(group.Id), modRevision).Delete(etcd.Keys.Group(group.Id)).Delete(etcd.Keys.UntoldGroup(group.Id));
        if ((await leader.Fence(txn).CommitAsync(etcd, cancellationToken)).Succeeded)
        {
            return ReleaseWriteOutcome.Written;
        }

        return !await leader.IsCurrentAsync(cancellationToken) ? ReleaseWriteOutcome.NotLeader : ReleaseWriteOutcome.Conflict;
    }

    /// <summary>Writes or removes the group's entry in the index of groups with transitions to tell, as it is now.</summary>
    private GuardedTxn Untold(GuardedTxn txn, ReleaseGroupState group) =>
        group.HasUntold ? txn.Put(etcd.Keys.UntoldGroup(group.Id), "") : txn.Delete(etcd.Keys.UntoldGroup(group.Id));

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
