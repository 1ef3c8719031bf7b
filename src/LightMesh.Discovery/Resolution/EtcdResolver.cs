using Grpc.Core;
using Grpc.Net.Client.Balancer;
using LightMesh.Core;
using LightMesh.Core.Mesh;
using LightMesh.Discovery.Telemetry;
using LightMesh.Etcd;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Watching;
using Microsoft.Extensions.Logging;

namespace LightMesh.Discovery.Resolution;

/// <summary>
/// Resolves <c>etcd:///SERVICE</c>: reads <c>instances/SERVICE/</c>, publishes one address per live instance, then
/// follows the prefix with a resuming watch and publishes again at every change. If etcd goes away after a first
/// answer, the channel keeps the last addresses (the watch resumes by itself); before one, calls fail as Unavailable.
/// </summary>
internal sealed class EtcdResolver(string service, EtcdConnection etcd, PrefixWatcher watcher, TimeProvider time, ILogger logger) : Resolver
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private readonly string _prefix = etcd.Keys.Instances(service);
    private Task _loop = Task.CompletedTask;

    public override void Start(Action<ResolverResult> listener) =>
        _loop = Task.Run(() => RunAsync(listener, _stop.Token));

    /// <summary>Nothing to do: the watch already delivers every change as it happens.</summary>
    public override void Refresh()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            _loop.ContinueWith(_ => _stop.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        base.Dispose(disposing);
    }

    private async Task RunAsync(Action<ResolverResult> listener, CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        var answered = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var live = new SortedDictionary<string, Instance>(StringComparer.Ordinal);
                var state = await etcd.RangePrefixAsync(_prefix, 0, cancellationToken);
                Replace(live, state.Kvs.Select(KeyChange.Of));
                Publish(listener, live, state.Header.Revision);
                answered = true;
                delay = FirstRetry;

                await foreach (var update in watcher.WatchAsync(_prefix, state.Header.Revision + 1, cancellationToken))
                {
                    if (update is WatchResync resync)
                    {
                        live.Clear();
                        Replace(live, resync.State);
                    }
                    else if (update is WatchChanges changes)
                    {
                        Replace(live, changes.Changes);
                    }

                    Publish(listener, live, update.Revision);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (LightMeshException e)
            {
                Log.ResolveFailed(logger, service, delay, e);
                if (!answered)
                {
                    listener(ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"etcd:///{service}: {e.Message}")));
                }

                try
                {
                    await Task.Delay(delay, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    private void Replace(SortedDictionary<string, Instance> live, IEnumerable<KeyChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.IsDelete)
            {
                live.Remove(change.Key);
            }
            else if (InstanceCodec.Read(change.Value!) is { } instance)
            {
                live[change.Key] = instance;
            }
            else
            {
                live.Remove(change.Key);
                Log.InstanceSkipped(logger, service, change.Key);
            }
        }
    }

    private void Publish(Action<ResolverResult> listener, SortedDictionary<string, Instance> live, long revision)
    {
        var addresses = live.Values
            .DistinctBy(instance => (instance.Address, instance.Port))
            .Select(instance => new BalancerAddress(instance.Address, instance.Port))
            .ToList();
        Log.Resolved(logger, service, addresses.Count, revision);
        listener(ResolverResult.ForResult(addresses));
    }
}
