using System.Threading.Channels;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Xds.Protocol;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Ads;

/// <summary>
/// One ADS stream: a single loop feeds the stream's requests and new snapshots, in arrival order, to its
/// <see cref="AdsStreamState"/> and writes the responses it asks for. Only this loop writes to the stream.
/// </summary>
internal sealed class AdsConnection
{
    private static readonly object SnapshotSignal = new();
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ProxyRegistry _registry;
    private readonly AdsStreamState _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _snapshotQueued;
    private long _snapshotArrivedAt;
    private long _convergedRevision;

    public AdsConnection(string streamId, ProxyRegistry registry, TimeProvider time, ILogger logger)
    {
        StreamId = streamId;
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
            return _state.Status();
        }
    }

    public bool Subscribes(string service)
    {
        lock (_state)
        {
            return _state.Subscribes(service);
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
        var reading = PumpRequestsAsync(requests, cancellationToken);
        try
        {
            // Requests that arrive before the mesh is read wait in the inbox, and are answered from it.
            await _registry.FirstPublished.WaitAsync(cancellationToken);
            lock (_state)
            {
                _state.OnSnapshot(_registry.Current);
            }

            await foreach (var item in _inbox.Reader.ReadAllAsync(cancellationToken))
            {
                foreach (var response in Handle(item))
                {
                    await responses.WriteAsync(response, cancellationToken);
                    XdsMetrics.Pushes.WithLabels(TypeUrls.ShortName(response.TypeUrl)).Inc();
                }
            }
        }
        finally
        {
            _inbox.Writer.TryComplete();
            await reading;
        }
    }

    private IReadOnlyList<DiscoveryResponse> Handle(object item)
    {
        lock (_state)
        {
            IReadOnlyList<DiscoveryResponse> responses;
            if (item is DiscoveryRequest request)
            {
                var firstNode = _state.Node is null && request.Node is not null;
                responses = _state.OnRequest(request);
                if (firstNode)
                {
                    Log.ProxyConnected(_logger, request.Node!.Id, StreamId);
                }

                if (request.ErrorDetail is not null)
                {
                    XdsMetrics.Nacks.WithLabels(TypeUrls.ShortName(request.TypeUrl)).Inc();
                    Log.Nacked(_logger, _state.Node?.Id ?? "", TypeUrls.ShortName(request.TypeUrl), request.VersionInfo, request.ErrorDetail.Message);
                }
            }
            else
            {
                Interlocked.Exchange(ref _snapshotQueued, 0);
                _snapshotArrivedAt = _time.GetTimestamp();
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

    private async Task PumpRequestsAsync(IAsyncStreamReader<DiscoveryRequest> requests, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
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
