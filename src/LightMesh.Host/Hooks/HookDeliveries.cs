using System.Text.Json;
using LightMesh.ControlPlane.Mesh;
using LightMesh.Etcd;
using LightMesh.Releases.Requests;

namespace LightMesh.Host.Hooks;

/// <summary>
/// The delivery ids already seen (<c>hooks/deliveries/{provider}/{id}</c>), so that a redelivery, whether a retry, a
/// "Redeliver" click, or the same event sent twice at once, starts nothing new, also after a restart.
/// </summary>
/// <remarks>
/// A delivery is claimed before its release is started (a guarded create, value "pending" with the time), and the
/// release id is written in the release's own transaction (<see cref="ReceiptFor"/>). Claiming first closes the crash
/// window in the other order (release started, delivery not yet recorded, so a redelivery would start it again); what is
/// left is a claim whose handler died before its start was written. So a redelivery that
/// finds a claim still pending waits up to <see cref="PendingWait"/> for it to finish and answers with its release; once
/// the claim is older than <see cref="PendingTimeout"/> (far longer than a start takes) it is taken over, and the new
/// handler first looks for a release started by the same actor, which carries the delivery id, before starting one.
/// A redelivery waiting for a pending claim learns of its end from the controller's watch (<see cref="EtcdMeshSource.Follow"/>),
/// so it is answered as soon as the first handler is; it reads the claim again at least every <see cref="RereadInterval"/>.
/// </remarks>
public sealed class HookDeliveries(EtcdConnection etcd, EtcdMeshSource watched, TimeProvider time)
{
    public static readonly TimeSpan PendingTimeout = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan PendingWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RereadInterval = TimeSpan.FromSeconds(1);

    /// <summary>Claims <paramref name="id"/> of <paramref name="provider"/> for this request, or says who has it.</summary>
    public async Task<DeliveryClaim> ClaimAsync(string provider, string id, string actor, CancellationToken cancellationToken)
    {
        // Percent-encoded, so an Idempotency-Key with a '/' is still one key.
        var key = etcd.Keys.HookDelivery(provider, Uri.EscapeDataString(id));
        var started = time.GetTimestamp();

        KeySubscription? changes = null;
        try
        {
            while (true)
            {
                var pending = JsonSerializer.Serialize(new DeliveryRecord(null, time.GetUtcNow(), actor), JsonSerializerOptions.Web);
                var (created, revision) = await new GuardedTxn().Absent(key).Put(key, pending).CommitAsync(etcd, cancellationToken);
                if (created)
                {
                    return new DeliveryClaim(DeliveryClaimState.Claimed, key, revision);
                }

                // Someone has the delivery: its key is followed before it is read, so a change the read does not see yet still comes.
                changes ??= watched.Follow(key);
                var found = await etcd.GetAsync(key, cancellationToken);
                if (found.Kvs.Count == 0)
                {
                    continue;
                }

                var record = JsonSerializer.Deserialize<DeliveryRecord>(found.Kvs[0].Value.ToStringUtf8(), JsonSerializerOptions.Web)!;
                if (record.Release is not null || record.Announced is not null || record.Group is not null)
                {
                    return new DeliveryClaim(DeliveryClaimState.Done, key, found.Kvs[0].ModRevision, record.Release, record.At, record.Announced) { Group = record.Group };
                }

                if (time.GetUtcNow() - record.At >= PendingTimeout)
                {
                    var (taken, takenAt) = await new GuardedTxn().Unchanged(key, found.Kvs[0].ModRevision).Put(key, pending).CommitAsync(etcd, cancellationToken);
                    if (taken)
                    {
                        return new DeliveryClaim(DeliveryClaimState.Reclaimed, key, takenAt, null, record.At);
                    }

                    continue;
                }

                var waited = time.GetElapsedTime(started);
                if (waited >= PendingWait)
                {
                    return new DeliveryClaim(DeliveryClaimState.Pending, key, found.Kvs[0].ModRevision, null, record.At);
                }

                await NextChangeAsync(changes, found.Kvs[0].ModRevision, PendingWait - waited < RereadInterval ? PendingWait - waited : RereadInterval, cancellationToken);
            }
        }
        finally
        {
            changes?.Dispose();
        }
    }

    /// <summary>Waits until the watch brings a change of the followed key after <paramref name="revision"/>, or <paramref name="longest"/> has passed.</summary>
    private async Task NextChangeAsync(KeySubscription changes, long revision, TimeSpan longest, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(longest, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            while ((await changes.Changes.ReadAsync(either.Token)).ModRevision <= revision)
            {
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Read the claim again anyway: the watch may be behind, or not running in this process.
        }
    }

    /// <summary>What a start writes with its release, so the delivery's record names the release in the same transaction.</summary>
    public StartReceipt ReceiptFor(DeliveryClaim claim, string actor) =>
        new(claim.Key, releaseId => JsonSerializer.Serialize(new DeliveryRecord(releaseId, time.GetUtcNow(), actor), JsonSerializerOptions.Web));

    /// <summary>
    /// Records the release the delivery started (one found after a takeover; a start records its own through
    /// <see cref="ReceiptFor"/>). Unguarded: the release exists, so this is the delivery's answer even if
    /// a slow start lost its claim to a takeover meanwhile (whose own start then met this release and failed).
    /// </summary>
    public async Task CompleteAsync(DeliveryClaim claim, string releaseId, string actor, CancellationToken cancellationToken) =>
        await new GuardedTxn().Put(claim.Key, JsonSerializer.Serialize(new DeliveryRecord(releaseId, time.GetUtcNow(), actor), JsonSerializerOptions.Web))
            .CommitAsync(etcd, cancellationToken);

    /// <summary>Records the group release the delivery started, as <see cref="CompleteAsync"/> does a release.</summary>
    public async Task CompleteGroupAsync(DeliveryClaim claim, string groupId, string actor, CancellationToken cancellationToken) =>
        await new GuardedTxn().Put(claim.Key, JsonSerializer.Serialize(new DeliveryRecord(null, time.GetUtcNow(), actor) { Group = groupId }, JsonSerializerOptions.Web))
            .CommitAsync(etcd, cancellationToken);

    /// <summary>Records the version the delivery announced (a trigger with <c>mode: announce</c>), so a redelivery announces nothing again.</summary>
    public async Task CompleteAnnouncedAsync(DeliveryClaim claim, AnnouncedVersion announced, string actor, CancellationToken cancellationToken) =>
        await new GuardedTxn().Put(claim.Key, JsonSerializer.Serialize(new DeliveryRecord(null, time.GetUtcNow(), actor, announced), JsonSerializerOptions.Web))
            .CommitAsync(etcd, cancellationToken);

    /// <summary>Gives up a claim when nothing was started (a refusal), so the delivery may be sent again; only our own claim.</summary>
    public async Task AbandonAsync(DeliveryClaim claim, CancellationToken cancellationToken) =>
        await new GuardedTxn().Unchanged(claim.Key, claim.ModRevision).Delete(claim.Key).CommitAsync(etcd, cancellationToken);

    /// <summary>
    /// Deletes deliveries recorded more than <paramref name="retention"/> ago (each guarded by the revision read, so a
    /// delivery claimed again meanwhile stays); a CI system redelivers within hours, not weeks. Returns how many went.
    /// </summary>
    public async Task<int> PurgeAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - retention;
        var purged = 0;
        foreach (var kv in (await etcd.RangePrefixAsync(etcd.Keys.HookDeliveries, 0, cancellationToken)).Kvs)
        {
            var record = JsonSerializer.Deserialize<DeliveryRecord>(kv.Value.ToStringUtf8(), JsonSerializerOptions.Web);
            if (record is not null && record.At < before)
            {
                var key = kv.Key.ToStringUtf8();
                var (deleted, _) = await new GuardedTxn().Unchanged(key, kv.ModRevision).Delete(key).CommitAsync(etcd, cancellationToken);
                purged += deleted ? 1 : 0;
            }
        }

        return purged;
    }

    /// <summary>The value at a delivery's key: the release (or group release) it started or the version it announced, or none yet; when (claimed, or done) and by whom.</summary>
    private sealed record DeliveryRecord(string? Release, DateTimeOffset At, string Actor, AnnouncedVersion? Announced = null)
    {
        public string? Group { get; init; }
    }
}
