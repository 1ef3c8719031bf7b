using System.Collections.Concurrent;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using LightMesh.ControlPlane.Reports;
using LightMesh.ControlPlane.Publishing;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Xds.Protocol;
using LightMesh.Xds.Translation;
using LightMesh.ControlPlane.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.ControlPlane.Ads;

/// <summary>
/// The connected proxies and the snapshot they are served from: publishes new snapshots to every stream,
/// and reports each proxy's status (which <see cref="Reports.MeshProxies"/> waits on).
/// </summary>
public sealed class ProxyRegistry(TimeProvider time, IOptions<XdsServerOptions> options, ILogger<ProxyRegistry> logger)
{
    /// <summary>
    /// The requests one stream may have waiting for its loop. A client that reads its answers has one or two per type;
    /// one that sends on without reading them has its stream ended (<see cref="StreamRefusal.TooManyRequests"/>).
    /// </summary>
    public const int MaxWaitingRequests = 64;

    private readonly ConcurrentDictionary<string, AdsConnection> _connections = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstPublished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private XdsSnapshot _current = XdsSnapshot.Empty;
    private SnapshotFailure? _failure;
    private long _streams;

    /// <summary>The latest published snapshot.</summary>
    public XdsSnapshot Current => Volatile.Read(ref _current);

    /// <summary>The last snapshot that could not be built, until one is published again; null while none failed.</summary>
    public SnapshotFailure? Failure => Volatile.Read(ref _failure);

    public int ConnectedProxies => _connections.Count;

    /// <summary>
    /// Done once the first snapshot read from etcd is published. Until then the control plane knows no resources, and
    /// answering would tell clients that none exist (LDS and CDS answers are complete): streams wait for it.
    /// </summary>
    internal Task FirstPublished => _firstPublished.Task;

    /// <summary>
    /// Why this control plane serves no proxy yet (its streams wait for <see cref="FirstPublished"/>), with the failure
    /// that keeps it so, if any; null once the first snapshot is published. What <c>/readyz</c> answers 503 with.
    /// </summary>
    public string? NotServing() =>
        _firstPublished.Task.IsCompleted ? null
        : Failure is { } failure ? $"xDS: no snapshot served yet; this controller {failure}"
        : "xDS: no snapshot served yet (the documents and instances read from etcd are not translated yet)";

    /// <summary>Makes <paramref name="snapshot"/> current and hands it to every connected proxy.</summary>
    public void Publish(XdsSnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        Volatile.Write(ref _failure, null);
        XdsMetrics.SnapshotRevision.Set(snapshot.Revision);
        XdsMetrics.WithheldRoutes.Set(snapshot.Problems.Count);
        _firstPublished.TrySetResult();
        foreach (var connection in _connections.Values)
        {
            connection.Notify();
        }

        Signal();
    }

    /// <summary>
    /// Records that the snapshot of <paramref name="failure"/>'s revision could not be built; the current one stays. The
    /// convergence waits are woken, so that a step waiting on that revision says why it waits.
    /// </summary>
    public void Failed(SnapshotFailure failure)
    {
        Volatile.Write(ref _failure, failure);
        Signal();
    }

    /// <summary>
    /// Serves one ADS stream until the client closes it or <paramref name="cancellationToken"/> ends; throws the
    /// <see cref="RpcException"/> the client is to get when the control plane ends it (<see cref="StreamRefusal"/>).
    /// </summary>
    /// <param name="shownToken">The proxy token the stream's gRPC metadata holds, if any.</param>
    public async Task ServeAsync(IAsyncStreamReader<DiscoveryRequest> requests, IServerStreamWriter<DiscoveryResponse> responses, string? shownToken, CancellationToken cancellationToken)
    {
        var connection = new AdsConnection($"ads-{Interlocked.Increment(ref _streams)}", this, time, logger, shownToken, options.Value.AllowAnonymous);
        _connections[connection.StreamId] = connection;
        XdsMetrics.ConnectedProxies.Set(_connections.Count);
        try
        {
            await connection.RunAsync(requests, responses, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The stream ended under us: the client left or the server is stopping.
        }
        finally
        {
            _connections.TryRemove(connection.StreamId, out _);
            XdsMetrics.ConnectedProxies.Set(_connections.Count);
            Log.ProxyDisconnected(logger, connection.StreamId, connection.NodeId);
            Signal();
        }
    }

    /// <summary>Every connected proxy's status, ordered by node id.</summary>
    public IReadOnlyList<ProxyStatus> Status() =>
        [.. _connections.Values.Select(c => c.Status()).OrderBy(s => s.NodeId, StringComparer.Ordinal).ThenBy(s => s.StreamId, StringComparer.Ordinal)];

    /// <summary>
    /// This controller's report of its proxies (see <see cref="ControllerReport"/>), as of now.
    /// </summary>
    public ControllerReport Report(string name, string xds, long watchRevision) => new(
        name, xds, watchRevision, Current.Revision, time.GetUtcNow(),
        [.. _connections.Values.Select(c => c.Reported()).OrderBy(p => p.NodeId, StringComparer.Ordinal).ThenBy(p => p.StreamId, StringComparer.Ordinal)]);

    /// <summary>
    /// The connected proxies that use <paramref name="service"/>, with only what a convergence wait needs of them (node,
    /// stream, converged revision): read on every ACK while a step waits, so lighter than <see cref="Report"/>.
    /// </summary>
    public IReadOnlyList<ReportedProxy> UsersOf(string service) =>
        [.. _connections.Values.Where(c => c.Subscribes(service)).Select(c => new ReportedProxy(c.NodeId, c.StreamId, "", c.ConvergedRevision, [service]))];

    /// <summary>Done at the next change of what <see cref="Report"/> says: something published, connected, ACKed, NACKed or disconnected.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Wakes what waits on <see cref="Changed"/>.</summary>
    internal void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
