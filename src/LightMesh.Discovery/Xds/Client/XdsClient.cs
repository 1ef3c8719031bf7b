using System.Threading.Channels;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Net.Client;
using LightMesh.Discovery.Telemetry;
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
internal sealed partial class XdsClient : IDisposable
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
}
