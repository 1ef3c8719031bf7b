using System.Diagnostics;
using LightMesh.Core;
using LightMesh.Etcd;

namespace LightMesh.Bench;

/// <summary>
/// Picks the service for each new delivery: the one used longest ago that has no active release, as far as the last
/// read of <c>activereleases/</c> (once a second, from etcd, not through the controller) tells, and no delivery of it
/// unanswered or answered since that read. A service can have one active release only, so this keeps the controller's
/// 409s to the case where every service is still busy; then it takes the one used longest ago anyway, and the 409 is
/// counted. Each service runs v1, v2 and v3, and each delivery asks for the one after the service's last release's.
/// </summary>
internal sealed class ServiceRotation(IReadOnlyList<string> services, EtcdConnection etcd)
{
    private static readonly TimeSpan ReadEvery = TimeSpan.FromSeconds(1);
    private readonly LinkedList<string> _leastRecent = new(services);
    private readonly Dictionary<string, int> _unanswered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _answeredAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _started = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private HashSet<string> _active = new(StringComparer.Ordinal);
    private long _readAt;

    /// <summary>The versions every service runs, all registered from the start; v1 is stable at first.</summary>
    public static string[] Versions { get; } = ["v1", "v2", "v3"];

    /// <summary>The next service to release and the version to ask for; it becomes the service used most recently.</summary>
    public (string Service, string Version) Next()
    {
        lock (_lock)
        {
            var node = _leastRecent.First!;
            for (var candidate = node; candidate is not null; candidate = candidate.Next)
            {
                if (IsFree(candidate.Value))
                {
                    node = candidate;
                    break;
                }
            }

            _leastRecent.Remove(node);
            _leastRecent.AddLast(node);
            _unanswered[node.Value] = _unanswered.GetValueOrDefault(node.Value) + 1;

            // The version after the service's last release's: never the stable one, whether that release was promoted
            // (its version is stable), rolled back, or still running (the one before it is), so the controller answers
            // 202, or 409 while the service is busy, never "already the stable version".
            var last = Array.IndexOf(Versions, _started.GetValueOrDefault(node.Value, Versions[0]));
            return (node.Value, Versions[(last + 1) % Versions.Length]);
        }
    }

    /// <summary>
    /// A delivery to <paramref name="service"/> was answered: <paramref name="first"/> when it was the send that
    /// <see cref="Next"/> was called for; <paramref name="started"/> when it started a release of <paramref name="version"/>
    /// (a redelivery can, when the first send was refused).
    /// </summary>
    public void Answered(string service, string version, bool first, bool started)
    {
        lock (_lock)
        {
            if (first)
            {
                _unanswered[service]--;
                _answeredAt[service] = Stopwatch.GetTimestamp();
            }

            if (started)
            {
                _started[service] = version;
            }
        }
    }

    /// <summary>Reads which services have an active release, once a second until <paramref name="cancellationToken"/> ends the run.</summary>
    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        var prefix = etcd.Keys.ActiveReleases;
        try
        {
            while (true)
            {
                // An answer that came after the read began may not be in it: only those before it are.
                var readAt = Stopwatch.GetTimestamp();
                try
                {
                    var active = (await etcd.RangePrefixAsync(prefix, 0, cancellationToken)).Kvs
                        .Select(kv => kv.Key.ToStringUtf8()[prefix.Length..])
                        .ToHashSet(StringComparer.Ordinal);
                    lock (_lock)
                    {
                        _active = active;
                        _readAt = readAt;
                    }
                }
                catch (ServerUnreachableException)
                {
                    // etcd too busy to answer in time: keep the last read; the run goes on at its rate.
                }

                await Task.Delay(ReadEvery, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the run is over
        }
    }

    private bool IsFree(string service) =>
        !_active.Contains(service) && _unanswered.GetValueOrDefault(service) == 0 && _answeredAt.GetValueOrDefault(service, long.MinValue) < _readAt;
}
