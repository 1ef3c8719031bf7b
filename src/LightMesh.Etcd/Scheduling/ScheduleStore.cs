using System.Text.Json;
using LightMesh.Etcd.Leadership;
using LightMesh.Etcd.Releases;

namespace LightMesh.Etcd.Scheduling;

/// <summary>A version CI announced for a service: which, its image if known, from where, when, and when it was built.</summary>
/// <param name="BuiltAt">When the version was built, as CI said; null when it did not, and then <see cref="At"/> stands for it.</param>
public sealed record Announcement(string Service, string Version, string? Image, string Source, DateTimeOffset At, DateTimeOffset? BuiltAt = null)
{
    /// <summary>The time announcements are ordered by: when the version was built, or when it was announced.</summary>
    public DateTimeOffset Built => BuiltAt ?? At;
}

/// <summary>How a schedule's firing ended.</summary>
public enum FiringOutcome
{
    /// <summary>First seen; nothing fired yet.</summary>
    Waiting,

    /// <summary>Claimed: its release is being started (a new leader finishes what a lost one began).</summary>
    Starting,

    Started,

    /// <summary>Passed over: too late, suspended, or nothing to release.</summary>
    Skipped,

    /// <summary>The release could not start: a freeze, an active release, an invalid version.</summary>
    Refused,
}

/// <summary>What a Schedule fired last, kept so that no leader fires the same time twice.</summary>
/// <param name="Since">When a controller first saw the schedule; its earlier cron times never fire.</param>
/// <param name="ScheduledAt">The firing time last acted on.</param>
public sealed record ScheduleFiring(DateTimeOffset Since, DateTimeOffset? ScheduledAt, FiringOutcome Outcome, string? Release = null, string? Version = null, string? Message = null, DateTimeOffset? At = null)
{
    /// <summary>A group schedule's firing: the id of the group release it starts (fixed when claimed, so it starts once).</summary>
    public string? Group { get; init; }

    /// <summary>A group schedule's firing: each member's version, as claimed.</summary>
    public IReadOnlyDictionary<string, string>? Versions { get; init; }
}

/// <summary>A service's announcement as read, with the revision a replacement is guarded by (0: there was none).</summary>
public sealed record AnnouncementRead(Announcement? Current, long ModRevision);

/// <summary>Announcements (<c>announcements/{service}</c>) and schedule firings (<c>firings/{schedule}</c>) in etcd.</summary>
public sealed class ScheduleStore(EtcdConnection etcd)
{
    private static readonly JsonSerializerOptions Json = ReleaseJson.Options;

    /// <summary>
    /// Records <paramref name="announcement"/> as the service's newest, unless the one recorded was built later: a
    /// replayed or late delivery of an older build never replaces a newer one. Returns null when recorded, else the
    /// newer announcement kept. Not a traffic change, but guarded by the revision read, so two deliveries at once
    /// cannot both win.
    /// </summary>
    /// <param name="read">The service's announcement as read already (<see cref="ReadAnnouncementAsync"/>), to decide the first try on.</param>
    public async Task<Announcement?> AnnounceAsync(Announcement announcement, CancellationToken cancellationToken, AnnouncementRead? read = null)
    {
        var key = etcd.Keys.Announcement(announcement.Service);
        while (true)
        {
            var (current, modRevision) = read ?? await ReadAnnouncementAsync(announcement.Service, cancellationToken);
            read = null;
            if (current is not null && current.Built > announcement.Built)
            {
                return current;
            }

            var txn = new GuardedTxn().AsRead(key, modRevision).Put(key, JsonSerializer.Serialize(announcement, Json));
            if ((await txn.CommitAsync(etcd, cancellationToken)).Succeeded)
            {
                return null;
            }
        }
    }

    /// <summary>The service's announcement and the revision it was read at (0 when there is none), for <see cref="AnnounceAsync"/>.</summary>
    public async Task<AnnouncementRead> ReadAnnouncementAsync(string service, CancellationToken cancellationToken)
    {
        var found = await etcd.GetAsync(etcd.Keys.Announcement(service), cancellationToken);
        return found.Kvs.Count == 0
            ? new AnnouncementRead(null, 0)
            : new AnnouncementRead(JsonSerializer.Deserialize<Announcement>(found.Kvs[0].Value.ToStringUtf8(), Json), found.Kvs[0].ModRevision);
    }

    public async Task<Announcement?> AnnouncementAsync(string service, CancellationToken cancellationToken)
    {
        var found = await etcd.GetAsync(etcd.Keys.Announcement(service), cancellationToken);
        return found.Kvs.Count == 0 ? null : JsonSerializer.Deserialize<Announcement>(found.Kvs[0].Value.ToStringUtf8(), Json);
    }

    public async Task<IReadOnlyDictionary<string, Announcement>> AnnouncementsAsync(CancellationToken cancellationToken) =>
        (await etcd.RangePrefixAsync(etcd.Keys.Announcements, 0, cancellationToken)).Kvs
            .Select(kv => JsonSerializer.Deserialize<Announcement>(kv.Value.ToStringUtf8(), Json)!)
            .ToDictionary(a => a.Service, StringComparer.Ordinal);

    /// <summary>Every schedule's last firing, with the revision it was read at (for <see cref="SaveAsync"/>).</summary>
    public async Task<IReadOnlyDictionary<string, (ScheduleFiring Firing, long ModRevision)>> FiringsAsync(CancellationToken cancellationToken) =>
        (await etcd.RangePrefixAsync(etcd.Keys.Firings, 0, cancellationToken)).Kvs.ToDictionary(
            kv => kv.Key.ToStringUtf8()[etcd.Keys.Firings.Length..],
            kv => (JsonSerializer.Deserialize<ScheduleFiring>(kv.Value.ToStringUtf8(), Json)!, kv.ModRevision),
            StringComparer.Ordinal);

    /// <summary>
    /// Saves a schedule's firing if it is still as read (<paramref name="modRevision"/>, 0 for none) and, with a
    /// <paramref name="leader"/>, only while that term leads: two controllers never both act on one firing time.
    /// </summary>
    public async Task<(ReleaseWriteOutcome Outcome, long ModRevision)> SaveAsync(string schedule, ScheduleFiring firing, long modRevision, LeaderTerm? leader, CancellationToken cancellationToken)
    {
        var key = etcd.Keys.Firing(schedule);
        var txn = new GuardedTxn().AsRead(key, modRevision).Put(key, JsonSerializer.Serialize(firing, Json));
        var (written, revision) = await (leader is null ? txn : leader.Fence(txn)).CommitAsync(etcd, cancellationToken);
        if (written)
        {
            return (ReleaseWriteOutcome.Written, revision);
        }

        return (leader is not null && !await leader.IsCurrentAsync(cancellationToken) ? ReleaseWriteOutcome.NotLeader : ReleaseWriteOutcome.Conflict, 0);
    }

    /// <summary>Forgets the firing of a schedule that no longer exists.</summary>
    public async Task ForgetAsync(string schedule, long modRevision, LeaderTerm leader, CancellationToken cancellationToken) =>
        await leader.Fence(new GuardedTxn().Unchanged(etcd.Keys.Firing(schedule), modRevision).Delete(etcd.Keys.Firing(schedule))).CommitAsync(etcd, cancellationToken);
}
