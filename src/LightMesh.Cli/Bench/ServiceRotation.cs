using System.Diagnostics;
using LightMesh.Etcd;

namespace LightMesh.Cli.Bench;

/// <summary>
/// Picks the service for each new delivery: the one used longest ago that has no active release, as far as the last
/// read of <c>activereleases/</c> (once a second, from etcd, not through the controller) tells, and no delivery of it
/// unanswered or answered since that read. A service can have one active release only, so this keeps the controller's
/// 409s to the case where every service is still busy; then it takes the one used longest ago anyway, and the 409 is counted.
/// </summary>
internal sealed class ServiceRotation(IReadOnlyList<string> services, EtcdConnection etcd)
{
    private static readonly TimeSpan ReadEvery = TimeSpan.FromSeconds(1);
    private readonly LinkedList<string> _leastRecent = new(services);
    private readonly Dictionary<string, int> _unanswered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _answeredAt = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private HashSet<string> _active = new(StringComparer.Ordinal);
    private long _readAt;

    /// <summary>The next service to release; it becomes the one used most recently.</summary>
    public string Next()
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
            return node.Value;
        }
    }

    /// <summary>A delivery that <see cref="Next"/> gave <paramref name="service"/> for has its answer.</summary>
    public void Answered(string service)
    {
        lock (_lock)
        {
            _unanswered[service]--;
            _answeredAt[service] = Stopwatch.GetTimestamp();
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
                var active = (await etcd.RangePrefixAsync(prefix, 0, cancellationToken)).Kvs
                    .Select(kv => kv.Key.ToStringUtf8()[prefix.Length..])
                    .ToHashSet(StringComparer.Ordinal);
                lock (_lock)
                {
                    _active = active;
                    _readAt = readAt;
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
