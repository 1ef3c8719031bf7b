using Envoy.Service.Discovery.V3;
using Grpc.Core;
using LightMesh.Discovery.Telemetry;
using LightMesh.Xds.Translation;

namespace LightMesh.Discovery.Xds.Client;

internal sealed partial class XdsClient
{
    /// <summary>Requests go out in this order: a listener names its routes, routes name clusters, clusters their endpoints.</summary>
    private static readonly string[] RequestOrder = [TypeUrls.Listener, TypeUrls.Route, TypeUrls.Cluster, TypeUrls.Endpoint];

    private void Connect()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var server = _servers[_current];
        var stream = new AdsStream(++_generation, server.Ads.StreamAggregatedResources(_bootstrap.TokenHeaders, cancellationToken: cancel.Token), cancel);
        _stream = stream;
        foreach (var type in _types.Values)
        {
            // Nonces belong to a stream; the accepted version goes on, so the control plane knows what we hold.
            type.Nonce = "";
            type.PendingNack = null;
            type.Dirty = type.Entries.Count > 0;
        }

        stream.Pump = Task.Run(() => PumpAsync(stream));
        Log.XdsConnecting(_logger, server.Address, stream.Generation);
    }

    private async Task PumpAsync(AdsStream stream)
    {
        Exception? error = null;
        try
        {
            await foreach (var response in stream.Call.ResponseStream.ReadAllAsync(stream.Cancel.Token))
            {
                Post(() => OnResponse(stream, response));
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or IOException or HttpRequestException or InvalidOperationException)
        {
            error = e;
        }

        Post(() => OnStreamEnded(stream, error));
    }

    private void OnStreamEnded(AdsStream stream, Exception? error)
    {
        if (!ReferenceEquals(stream, _stream))
        {
            return;
        }

        _stream = null;
        stream.Dispose();
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        // A stream that worked starts the backoff over; one that never got an answer waits longer each time.
        _reconnectDelay = stream.Received ? _options.InitialReconnectDelay : Backoff.Next(_reconnectDelay, _options.MaxReconnectDelay);
        var delay = Backoff.Spread(_reconnectDelay, Random.Shared.NextDouble());
        var reason = error switch
        {
            null => "the control plane closed it",
            RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
            _ => error.Message,
        };
        var ended = _servers[_current].Address;

        // With several control planes, the next stream goes to the next one: the one that ended it may be gone.
        Volatile.Write(ref _current, (_current + 1) % _servers.Count);
        Log.XdsStreamEnded(_logger, ended, reason, _servers[_current].Address, delay);
        Schedule(delay, Connect);
    }

    /// <summary>Sends the request each changed type owes (its subscription, an ACK or a NACK), in dependency order.</summary>
    private async Task FlushAsync(AdsStream stream)
    {
        foreach (var typeUrl in RequestOrder)
        {
            var type = _types[typeUrl];
            if (!type.Dirty)
            {
                continue;
            }

            type.Dirty = false;

            // An empty first request would ask for everything (a wildcard): only ever unsubscribe from a type once asked.
            if (type.Entries.Count == 0 && !stream.Asked.Contains(typeUrl))
            {
                continue;
            }

            var request = new DiscoveryRequest { TypeUrl = typeUrl, VersionInfo = type.Version, ResponseNonce = type.Nonce, ErrorDetail = type.PendingNack };
            request.ResourceNames.AddRange(type.Entries.Keys.Order(StringComparer.Ordinal));
            type.PendingNack = null;
            if (!stream.SentNode)
            {
                request.Node = _bootstrap.Node;
                stream.SentNode = true;
            }

            StartTimers(type, stream.Generation);
            stream.Asked.Add(typeUrl);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stream.Cancel.Token);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                await stream.Call.RequestStream.WriteAsync(request, timeout.Token);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or IOException or InvalidOperationException)
            {
                // The pump sees the stream end and reports it; what was owed is sent again on the next stream.
                Log.XdsRequestFailed(_logger, TypeUrls.ShortName(typeUrl), e.Message);
                await stream.Cancel.CancelAsync();
                return;
            }
        }
    }

    /// <summary>A resource not received within the timeout of being asked for on this stream does not exist (gRFC A27).</summary>
    private void StartTimers(TypeState type, long generation)
    {
        foreach (var entry in type.Entries.Values)
        {
            if (entry.Resource is null && !entry.DoesNotExist && entry.TimerGeneration != generation)
            {
                entry.TimerGeneration = generation;
                Schedule(_options.ResourceTimeout, () => OnResourceTimeout(type, entry, generation));
            }
        }
    }

    private void OnResourceTimeout(TypeState type, Entry entry, long generation)
    {
        // Time spent without a stream does not count: the timer starts again on the next one.
        if (_stream?.Generation != generation || !type.Entries.TryGetValue(entry.Name, out var current) || !ReferenceEquals(current, entry)
            || entry.Resource is not null || entry.DoesNotExist)
        {
            return;
        }

        entry.DoesNotExist = true;
        Log.XdsResourceMissing(_logger, TypeUrls.ShortName(type.TypeUrl), entry.Name, _options.ResourceTimeout);
        Notify(type, entry);
    }

    /// <summary>One ADS stream: the call, and what has been said on it.</summary>
    private sealed class AdsStream(long generation, AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, CancellationTokenSource cancel) : IDisposable
    {
        public long Generation { get; } = generation;
        public AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> Call { get; } = call;
        public CancellationTokenSource Cancel { get; } = cancel;
        public Task Pump { get; set; } = Task.CompletedTask;
        public bool SentNode { get; set; }
        public bool Received { get; set; }
        public HashSet<string> Asked { get; } = new(StringComparer.Ordinal);

        public void Dispose()
        {
            Cancel.Cancel();
            Call.Dispose();
            Pump.ContinueWith(_ => Cancel.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }
}
