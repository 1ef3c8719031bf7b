using System.Threading.Channels;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using LightMesh.Discovery.Telemetry;
using LightMesh.Discovery.Xds.Resources;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging;

namespace LightMesh.Discovery.Xds.Client;

/// <summary>
/// A proxyless client's side of ADS (state of the world): one stream to the control plane, shared by every channel,
/// with the resources the channels watch. One loop owns all state: watch changes, responses, timers and the end of a
/// stream are work items it runs in turn, and only it writes to the stream. Watchers are called on that loop.
/// Resources stay in use while the control plane is away; the stream is opened again with backoff, to the next of the
/// bootstrap's servers when it lists several (any controller serves the whole mesh, and a new stream is sent it all).
/// </summary>
internal sealed class XdsClient : IDisposable
{
    private readonly Channel<Action> _inbox = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, TypeState> _types = new[] { TypeUrls.Listener, TypeUrls.Route, TypeUrls.Cluster, TypeUrls.Endpoint }
        .ToDictionary(url => url, url => new TypeState(url), StringComparer.Ordinal);

    private readonly XdsBootstrap _bootstrap;
    private readonly XdsClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<ControlPlane> _servers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private AdsStream? _stream;
    private long _generation;
    private TimeSpan _reconnectDelay;
    private int _current;

    public XdsClient(XdsBootstrap bootstrap, XdsClientOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _bootstrap = bootstrap;
        _options = options;
        _time = time;
        _logger = loggers.CreateLogger<XdsClient>();
        _reconnectDelay = options.InitialReconnectDelay;
        _servers = [.. bootstrap.Servers.Select(server => ControlPlane.Open(server, options, loggers))];
        Post(Connect);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Where this client speaks ADS to now (or will next).</summary>
    public Uri Server => _servers[Volatile.Read(ref _current)].Address;

    /// <summary>
    /// Subscribes to one resource. <paramref name="onUpdate"/> is called on the client's loop with what is known now (if
    /// anything) and at every change, until the returned handle is disposed.
    /// </summary>
    public IDisposable Watch(string typeUrl, string name, Action<ResourceUpdate> onUpdate)
    {
        var watch = new Watcher(this, typeUrl, name, onUpdate);
        Post(() => AddWatch(watch));
        return watch;
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _inbox.Writer.TryComplete();
        _loop.ContinueWith(
            _ =>
            {
                _stream?.Dispose();
                foreach (var server in _servers)
                {
                    server.Channel.Dispose();
                }

                _stop.Dispose();
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private void Post(Action work) => _inbox.Writer.TryWrite(work);

    /// <summary>Runs <paramref name="work"/> on the loop after <paramref name="delay"/>, unless the client stops first.</summary>
    private void Schedule(TimeSpan delay, Action work) =>
        Task.Delay(delay, _time, _stop.Token).ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    Post(work);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private async Task RunAsync()
    {
        try
        {
            await foreach (var work in _inbox.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    work();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.XdsWorkFailed(_logger, e);
                }

                // Requests go out once the work at hand is done, so watches added together are asked for in one request.
                if (_stream is { } stream && !_inbox.Reader.TryPeek(out _))
                {
                    await FlushAsync(stream);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private void AddWatch(Watcher watch)
    {
        var type = _types[watch.TypeUrl];
        if (!type.Entries.TryGetValue(watch.Name, out var entry))
        {
            entry = new Entry(watch.Name);
            type.Entries[watch.Name] = entry;
            type.Dirty = true;
        }

        entry.Watchers.Add(watch);
        if (entry.Resource is not null || entry.DoesNotExist || entry.Error is not null)
        {
            watch.Deliver(new ResourceUpdate(watch.TypeUrl, watch.Name, entry.Resource, entry.Error, entry.DoesNotExist), _logger);
        }
    }

    private void RemoveWatch(Watcher watch)
    {
        var type = _types[watch.TypeUrl];
        if (type.Entries.TryGetValue(watch.Name, out var entry) && entry.Watchers.Remove(watch) && entry.Watchers.Count == 0)
        {
            type.Entries.Remove(watch.Name);
            type.Dirty = true;
        }
    }

    private void Notify(TypeState type, Entry entry, string? error = null)
    {
        var update = new ResourceUpdate(type.TypeUrl, entry.Name, entry.Resource, error, entry.DoesNotExist);
        foreach (var watch in entry.Watchers.ToList())
        {
            watch.Deliver(update, _logger);
        }
    }

    /// <summary>What the client knows about one resource type: the subscription, the accepted version, the last nonce.</summary>
    private sealed class TypeState(string typeUrl)
    {
        public string TypeUrl { get; } = typeUrl;
        public Dictionary<string, Entry> Entries { get; } = new(StringComparer.Ordinal);
        public string Version { get; set; } = "";
        public string Nonce { get; set; } = "";

        /// <summary>True when a request is owed: the subscription changed, or a response awaits its ACK or NACK.</summary>
        public bool Dirty { get; set; }

        public Google.Rpc.Status? PendingNack { get; set; }
    }

    /// <summary>One subscribed resource: its watchers and what is known of it.</summary>
    private sealed class Entry(string name)
    {
        public string Name { get; } = name;
        public List<Watcher> Watchers { get; } = [];
        public object? Resource { get; set; }
        public ByteString? Raw { get; set; }
        public string? Error { get; set; }
        public bool DoesNotExist { get; set; }

        /// <summary>The stream on which the does-not-exist timer of this resource runs.</summary>
        public long TimerGeneration { get; set; } = -1;
    }

    private sealed class Watcher(XdsClient client, string typeUrl, string name, Action<ResourceUpdate> onUpdate) : IDisposable
    {
        private volatile bool _active = true;

        public string TypeUrl { get; } = typeUrl;
        public string Name { get; } = name;

        public void Deliver(ResourceUpdate update, ILogger logger)
        {
            if (!_active)
            {
                return;
            }

            try
            {
                onUpdate(update);
            }
            catch (Exception e)
            {
                Log.XdsWatcherFailed(logger, TypeUrls.ShortName(TypeUrl), Name, e);
            }
        }

        public void Dispose()
        {
            if (_active)
            {
                _active = false;
                client.Post(() => client.RemoveWatch(this));
            }
        }
    }

    /// <summary>One of the bootstrap's control planes: its address, and the channel and ADS client to it.</summary>
    private sealed record ControlPlane(Uri Address, GrpcChannel Channel, AggregatedDiscoveryService.AggregatedDiscoveryServiceClient Ads)
    {
        public static ControlPlane Open(Uri address, XdsClientOptions options, ILoggerFactory loggers)
        {
            var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler
                {
                    ConnectTimeout = options.ConnectTimeout,
                    KeepAlivePingDelay = options.KeepAliveInterval,
                    KeepAlivePingTimeout = options.KeepAliveTimeout,
                    KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                    PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                    EnableMultipleHttp2Connections = true,
                },
                DisposeHttpClient = true,
                LoggerFactory = loggers,
            });
            return new ControlPlane(address, channel, new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel));
        }
    }

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

    /// <summary>
    /// Takes in a response (gRFC A46): valid resources are used, invalid ones keep their last good version, and the
    /// response is ACKed (its version becomes ours) or, if anything was invalid, NACKed with every problem (our
    /// version stays the last accepted one). A Listener or Cluster that was held and is missing from a response is deleted.
    /// </summary>
    private void OnResponse(AdsStream stream, DiscoveryResponse response)
    {
        if (!ReferenceEquals(stream, _stream))
        {
            return;
        }

        stream.Received = true;
        _reconnectDelay = _options.InitialReconnectDelay;
        if (!_types.TryGetValue(response.TypeUrl, out var type))
        {
            Log.XdsUnknownType(_logger, response.TypeUrl);
            return;
        }

        var shortName = TypeUrls.ShortName(type.TypeUrl);
        type.Nonce = response.Nonce;
        type.Dirty = true;
        var errors = new List<string>();
        var named = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < response.Resources.Count; i++)
        {
            var packed = response.Resources[i];
            var decoded = ResourceDecoder.Decode(type.TypeUrl, packed);
            if (decoded.Name is null)
            {
                errors.Add($"{shortName} resources[{i}]: {string.Join("; ", decoded.Errors)}");
                continue;
            }

            if (!named.Add(decoded.Name))
            {
                errors.Add($"{shortName} {decoded.Name}: sent twice in one response");
                continue;
            }

            type.Entries.TryGetValue(decoded.Name, out var entry);
            if (decoded.Errors.Count > 0)
            {
                var error = $"{shortName} {decoded.Name}: {string.Join("; ", decoded.Errors)}";
                errors.Add(error);
                if (entry is not null)
                {
                    entry.Error = error;
                    Notify(type, entry, error);
                }

                continue;
            }

            if (entry is null)
            {
                continue; // not (or no longer) asked for
            }

            entry.Error = null;
            if (entry.Raw is not null && entry.Raw.Equals(packed.Value))
            {
                continue; // unchanged: a resend, or another resource of the type changed
            }

            entry.Resource = decoded.Resource;
            entry.Raw = packed.Value;
            entry.DoesNotExist = false;
            Notify(type, entry);
        }

        if (TypeUrls.IsStateOfTheWorldComplete(type.TypeUrl) && !_bootstrap.IgnoreResourceDeletion)
        {
            // Only what was held: a response may answer an older subscription that did not name a new resource yet.
            foreach (var entry in type.Entries.Values.Where(e => e.Resource is not null && !named.Contains(e.Name)).ToList())
            {
                entry.Resource = null;
                entry.Raw = null;
                entry.DoesNotExist = true;
                Log.XdsResourceDeleted(_logger, shortName, entry.Name);
                Notify(type, entry);
            }
        }

        if (errors.Count == 0)
        {
            type.Version = response.VersionInfo;
            Log.XdsAccepted(_logger, shortName, response.VersionInfo, response.Resources.Count);
        }
        else
        {
            var message = string.Join("\n", errors);
            type.PendingNack = new Google.Rpc.Status { Code = (int)Grpc.Core.StatusCode.InvalidArgument, Message = message };
            Log.XdsRejected(_logger, shortName, response.VersionInfo, type.Version, message);
        }
    }
}
