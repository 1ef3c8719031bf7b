using System.Runtime.CompilerServices;
using Etcdserverpb;
using Grpc.Core;
using LightMesh.Core;
using Microsoft.Extensions.Logging;

namespace LightMesh.Etcd.Watching;

/// <summary>
/// Watches every key under a prefix from a given revision. When the stream drops (etcd restarted, network
/// blip) it resumes from the revision after the last one delivered, so no change is lost or repeated; when that
/// revision has been compacted it reads the whole prefix (or what the caller's resync reads) and yields a
/// <see cref="WatchResync"/>.
/// </summary>
public sealed class PrefixWatcher(EtcdConnection etcd, TimeProvider time, ILogger<PrefixWatcher> logger)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Yields the changes under <paramref name="prefix"/> made at <paramref name="fromRevision"/> and after, until
    /// cancelled; a cancelled watch always ends with <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="resync">What to read after a compaction instead of the whole prefix: a caller that needs only part of a large prefix.</param>
    public async IAsyncEnumerable<WatchUpdate> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken, Func<CancellationToken, Task<RangeResponse>>? resync = null)
    {
        var next = fromRevision;
        var retry = FirstRetry;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var call = etcd.OpenWatch(cancellationToken);
            var opened = await TryAsync(call, () => call.RequestStream.WriteAsync(new WatchRequest
            {
                CreateRequest = new WatchCreateRequest
                {
                    Key = EtcdConnection.Bytes(prefix),
                    RangeEnd = EtcdConnection.PrefixEnd(prefix),
                    StartRevision = next,
                    ProgressNotify = true,
                },
            }, cancellationToken), prefix, next, cancellationToken);

            while (opened)
            {
                var response = await TryReadAsync(call, prefix, next, cancellationToken);
                if (response is null)
                {
                    break;
                }

                retry = FirstRetry;
                if (response.CompactRevision > 0)
                {
                    Telemetry.Log.WatchCompacted(logger, prefix, next, response.CompactRevision);
                    var state = resync is null ? await etcd.RangePrefixAsync(prefix, 0, cancellationToken) : await resync(cancellationToken);
                    next = state.Header.Revision + 1;
                    yield return new WatchResync(
                        state.Kvs.Select(KeyChange.Of).ToList(),
                        state.Header.Revision,
                        response.CompactRevision);
                    break; // open a new watch from the resynchronised revision
                }

                if (response.Canceled)
                {
                    throw new LightMeshException($"etcd cancelled the watch on {prefix}: {response.CancelReason}");
                }

                if (response.Events.Count > 0)
                {
                    var changes = response.Events.Select(e => e.Type == Mvccpb.Event.Types.EventType.Delete
                        ? KeyChange.Deleted(e.Kv.Key.ToStringUtf8(), e.Kv.ModRevision)
                        : KeyChange.Of(e.Kv)).ToList();
                    next = changes[^1].ModRevision + 1;
                    yield return new WatchChanges(changes, changes[^1].ModRevision);
                }
                else if (!response.Created && response.Header.Revision >= next)
                {
                    // A progress notification: everything up to the header's revision has been delivered.
                    next = response.Header.Revision + 1;
                }
            }

            await Task.Delay(retry, time, cancellationToken);
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    private async Task<bool> TryAsync(EtcdStreamCall<WatchRequest, WatchResponse> call, Func<Task> action, string prefix, long next, CancellationToken cancellationToken)
    {
        try
        {
            await action();
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The watcher was stopped before its request went out: that is cancellation, like any other.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The stream broke under the request (etcd went away while it was written): as lost as an Unavailable.
            Telemetry.Log.WatchInterrupted(logger, prefix, next, FirstRetry, e);
            call.MemberFailed();
            return false;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            Telemetry.Log.WatchInterrupted(logger, prefix, next, FirstRetry, e);
            call.MemberFailed();
            return false;
        }
    }

    private async Task<WatchResponse?> TryReadAsync(EtcdStreamCall<WatchRequest, WatchResponse> call, string prefix, long next, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ResponseStream.MoveNext(cancellationToken) ? call.ResponseStream.Current : null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // Stopped while reading: the call, opened with the same token, may say so before the read does.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e) when (e is RpcException { StatusCode: not StatusCode.Cancelled } || e is RpcException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The member is gone, or has no leader (the stream asked to be ended then): resume on another member.
            Telemetry.Log.WatchInterrupted(logger, prefix, next, FirstRetry, e);
            call.MemberFailed();
            return null;
        }
    }
}
