using System.Diagnostics;
using LightMesh.ControlPlane.Reports;
using LightMesh.Etcd;
using LightMesh.Etcd.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.Bench;

/// <summary>
/// Follows the controllers' reports of their proxies (<c>controlplanes/</c>) as a leader's convergence wait does, and
/// tells when they first show every proxy at or past a revision: what a release step across several controllers waits for.
/// </summary>
internal sealed class ReportWatch(EtcdConnection etcd, int controllers, int proxies)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ControllerReport> _reports = new(StringComparer.Ordinal);
    private long _awaited = long.MaxValue;
    private TaskCompletionSource<long>? _reached;

    /// <summary>Completes with a <see cref="Stopwatch"/> timestamp once every report lists every proxy at or past <paramref name="revision"/>.</summary>
    public Task<long> AwaitAsync(long revision)
    {
        lock (_lock)
        {
            _awaited = revision;
            _reached = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            CheckLocked();
            return _reached.Task;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var prefix = etcd.Keys.ControlPlanes;
        var initial = await etcd.RangePrefixAsync(prefix, 0, cancellationToken);
        Apply(initial.Kvs.Select(KeyChange.Of));
        var watcher = new PrefixWatcher(etcd, TimeProvider.System, NullLogger<PrefixWatcher>.Instance);
        await foreach (var update in watcher.WatchAsync(prefix, initial.Header.Revision + 1, cancellationToken, token => etcd.RangePrefixAsync(prefix, 0, token)))
        {
            Apply(update switch
            {
                WatchChanges changes => changes.Changes,
                WatchResync resync => resync.State,
                _ => [],
            });
        }
    }

    private void Apply(IEnumerable<KeyChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                if (change.IsDelete)
                {
                    _reports.Remove(change.Key);
                }
                else if (ControllerReport.Read(change.Bytes.Span) is { } report)
                {
                    _reports[change.Key] = report;
                }
            }

            CheckLocked();
        }
    }

    private void CheckLocked()
    {
        if (_reached is { Task.IsCompleted: false } reached
            && _reports.Count == controllers
            && _reports.Values.Sum(r => r.Proxies.Count) == proxies
            && _reports.Values.All(r => r.Proxies.All(p => p.ConvergedRevision >= _awaited)))
        {
            reached.TrySetResult(Stopwatch.GetTimestamp());
        }
    }
}
