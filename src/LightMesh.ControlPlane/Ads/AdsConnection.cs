using System.Threading.Channels;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using LightMesh.ControlPlane.Reports;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Core.Mesh;
using LightMesh.Core.Security;
using LightMesh.Xds.Protocol;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Ads;

/// <summary>
/// One ADS stream: a single loop feeds the stream's requests and new snapshots, in arrival order, to its
/// <see cref="AdsStreamState"/> and writes the responses it asks for. Only this loop writes to the stream.
/// </summary>
/// <remarks>
/// The first request is answered only once the stream has shown a Node's proxy token (gRPC metadata, or the node's
/// metadata), unless anonymous proxies are allowed; a snapshot in which that Node no longer names the token ends the
/// stream. Requests are read as they come, so that a client's half-close or cancel is always seen, but at most
/// <see cref="ProxyRegistry.MaxWaitingRequests"/> may wait for the loop: a client that sends without reading its answers
/// has its stream ended instead of filling the controller's memory.
/// </remarks>
internal sealed class AdsConnection
{
    private static readonly object SnapshotSignal = new();
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ProxyRegistry _registry;
    private readonly AdsStreamState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _shownToken;
    private readonly bool _allowAnonymous;
    private int _snapshotQueued;
    private int _waitingRequests;
    private volatile bool _overflowed;
    private bool _admitted;
    private string? _tokenSha256;
    private string? _node;
    private long _snapshotArrivedAt;
    private long _convergedRevision;

    // What the stream has been given to handle (requests, snapshots), counted; and the report of the proxy as of a count.
    private long _handled;
    private long _reportedAt;
    private ReportedProxy? _reported;

    /// <param name="shownToken">The proxy token in the stream's gRPC metadata, if any.</param>
    /// <param name="allowAnonymous">Whether a stream that shows no token (or an unknown one) is served anyway.</param>
    public AdsConnection(string streamId, ProxyRegistry registry, TimeProvider time, ILogger logger, string? shownToken, bool allowAnonymous)
    {
        StreamId = streamId;
        _shownToken = shownToken;
        _allowAnonymous = allowAnonymous;
        _registry = registry;
        _time = time;
        _logger = logger;
        _state = new AdsStreamState(streamId, registry.Current);
    }

    public string StreamId { get; }

    public string NodeId
    {
        get
        {
            lock (_state)
            {
                return _state.Node?.Id ?? "";
            }
        }
    }

    public long ConvergedRevision => Interlocked.Read(ref _convergedRevision);

    public ProxyStatus Status()
    {
        lock (_state)
        {
            return _state.Status() with { Node = _node };
        }
    }

    public bool Subscribes(string service)
    {
        lock (_state)
        {
            return _state.Subscribes(service);
        }
    }

    /// <summary>The proxy as its controller reports it to the others: what it uses, what it ACKed, what it rejected.</summary>
    /// <summary>
    /// The proxy as its controller reports it. Worked out again only after the stream handled something, and the same
    /// object as before while what it says is unchanged, so an unchanged report is known by its proxies' identity.
    /// </summary>
    public ReportedProxy Reported()
    {
        lock (_state)
        {
            if (_reported is null || _reportedAt != _handled)
            {
                var now = ReportedProxy.From(_state.Status() with { Node = _node });
                _reported = _reported is not null && _reported.SaysTheSameAs(now) ? _reported : now;
                _reportedAt = _handled;
            }

            return _reported;
        }
    }

    /// <summary>Tells the loop a new snapshot is out; several notices before it runs collapse into one.</summary>
    public void Notify()
    {
        if (Interlocked.Exchange(ref _snapshotQueued, 1) == 0)
        {
            _inbox.Writer.TryWrite(SnapshotSignal);
        }
    }

    public async Task RunAsync(IAsyncStreamReader<DiscoveryRequest> requests, IServerStreamWriter<DiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        // The pump cancels the loop when the client has too many requests waiting, even while a write waits for a
        // client that does not read.
        using var loop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = PumpRequestsAsync(requests, loop);
        try
        {
            // Requests that arrive before the mesh is read wait in the inbox, and are answered from it.
            await _registry.FirstPublished.WaitAsync(loop.Token);
            lock (_state)
            {
                _handled++;
                _state.OnSnapshot(_registry.Current);
            }

            await foreach (var item in _inbox.Reader.ReadAllAsync(loop.Token))
            {
                if (item is DiscoveryRequest)
                {
                    Interlocked.Decrement(ref _waitingRequests);
                }

                foreach (var response in Handle(item))
                {
                    await responses.WriteAsync(response, loop.Token);
                    XdsMetrics.Pushes.WithLabels(XdsMetrics.TypeLabel(response.TypeUrl)).Inc();
                }
            }
        }
        catch (OperationCanceledException) when (_overflowed && !cancellationToken.IsCancellationRequested)
        {
            // The pump stopped the loop; the refusal is thrown below.
        }
        finally
        {
            // However the loop ended (the client left, a refusal, the server stopping), the pump stops reading.
            _inbox.Writer.TryComplete();
            await loop.CancelAsync();
            await reading;
        }

        if (_overflowed)
        {
            throw Refuse(StreamRefusal.TooManyRequests, NodeId);
        }
    }

    private IReadOnlyList<DiscoveryResponse> Handle(object item)
    {
        lock (_state)
        {
            _handled++;
            IReadOnlyList<DiscoveryResponse> responses;
            if (item is DiscoveryRequest request)
            {
                Admit(request);
                var firstNode = _state.Node is null && request.Node is not null;
                responses = _state.OnRequest(request);
                if (firstNode)
                {
                    Log.ProxyConnected(_logger, request.Node!.Id, StreamId);
                    _registry.Signal();
                }

                if (request.ErrorDetail is not null)
                {
                    XdsMetrics.Nacks.WithLabels(XdsMetrics.TypeLabel(request.TypeUrl)).Inc();
                    Log.Nacked(_logger, _state.Node?.Id ?? "", TypeUrls.ShortName(request.TypeUrl), request.VersionInfo, request.ErrorDetail.Message);
                    _registry.Signal();
                }
            }
            else
            {
                Interlocked.Exchange(ref _snapshotQueued, 0);
                _snapshotArrivedAt = _time.GetTimestamp();
                CheckStillAdmitted(_registry.Current);
                responses = _state.OnSnapshot(_registry.Current);
            }

            if (_state.ConvergedRevision != Interlocked.Read(ref _convergedRevision))
            {
                Interlocked.Exchange(ref _convergedRevision, _state.ConvergedRevision);
                if (_snapshotArrivedAt != 0 && _state.ConvergedRevision == _state.Snapshot.Revision)
                {
                    XdsMetrics.Convergence.Observe(_time.GetElapsedTime(_snapshotArrivedAt).TotalSeconds);
                }

                _registry.Signal();
            }

            return responses;
        }
    }

    /// <summary>
    /// Lets the stream in on its first request: the token shown in its gRPC metadata, else in the node's metadata, must
    /// be one a Node names, unless anonymous proxies are allowed. Throws the refusal otherwise.
    /// </summary>
    private void Admit(DiscoveryRequest request)
    {
        if (_admitted)
        {
            return;
        }

        var token = _shownToken;
        if (string.IsNullOrEmpty(token) && request.Node?.Metadata?.Fields.TryGetValue(ProxyToken.MetadataKey, out var field) == true)
        {
            token = field.StringValue;
        }

        if (!string.IsNullOrEmpty(token))
        {
            var sha256 = TokenHash.HexOf(token);
            if (_registry.Current.NodeTokens.TryGetValue(sha256, out var node))
            {
                (_tokenSha256, _node, _admitted) = (sha256, node, true);
                return;
            }
        }

        if (!_allowAnonymous)
        {
            throw Refuse(string.IsNullOrEmpty(token) ? StreamRefusal.NoToken : StreamRefusal.UnknownToken, request.Node?.Id ?? "");
        }

        _admitted = true;
    }

    /// <summary>Ends a stream whose Node was deleted, or given another token, in <paramref name="snapshot"/>.</summary>
    private void CheckStillAdmitted(XdsSnapshot snapshot)
    {
        if (_tokenSha256 is not null && !_allowAnonymous
            && (!snapshot.NodeTokens.TryGetValue(_tokenSha256, out var node) || node != _node))
        {
            throw Refuse(StreamRefusal.TokenRevoked, _state.Node?.Id ?? "");
        }
    }

    private RpcException Refuse(StreamRefusal refusal, string nodeId)
    {
        XdsMetrics.RefusedStreams.WithLabels(refusal.Label()).Inc();
        var exception = refusal.ToRpcException(_node);
        Log.StreamRefused(_logger, StreamId, nodeId, exception.Status.Detail);
        return exception;
    }

    private async Task PumpRequestsAsync(IAsyncStreamReader<DiscoveryRequest> requests, CancellationTokenSource loop)
    {
        try
        {
            while (await requests.MoveNext(loop.Token))
            {
                if (Interlocked.Increment(ref _waitingRequests) > ProxyRegistry.MaxWaitingRequests)
                {
                    _overflowed = true;
                    await loop.CancelAsync();
                    break;
                }

                _inbox.Writer.TryWrite(requests.Current);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or IOException)
        {
            // The client went away; the loop ends with the inbox.
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }
}
