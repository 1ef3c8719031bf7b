using System.Collections.Concurrent;
using System.Diagnostics;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;
using LightMesh.Xds.Translation;

namespace LightMesh.Bench;

/// <summary>
/// A simulated proxyless gRPC client for the benchmark: subscribes by name to a few services' listeners, routes,
/// clusters and endpoints, ACKs every response at once, and notes when it ACKs a route version at or past a target,
/// and when it ACKed each route version.
/// </summary>
internal sealed class SimulatedProxy : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> _call;
    private readonly Dictionary<string, string[]> _names;
    private readonly Task _loop;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<(long Version, long At)> _routeAcks = new();
    private long _target = long.MaxValue;
    private Action<long>? _reached;

    /// <param name="subsets">The subsets whose clusters it subscribes to (v1 and v2 unless given).</param>
    public SimulatedProxy(GrpcChannel channel, string id, IReadOnlyList<(string Service, int Port)> services, CancellationToken cancellationToken, IReadOnlyList<string>? subsets = null)
    {
        var clusters = services.SelectMany(s => (subsets ?? ["v1", "v2"]).Select(subset => ClusterNames.Outbound(s.Port, subset, s.Service))).ToArray();
        _names = new Dictionary<string, string[]>
        {
            [TypeUrls.Listener] = services.Select(s => $"{s.Service}:{s.Port}").ToArray(),
            [TypeUrls.Route] = services.Select(s => ClusterNames.RouteForPort(s.Port)).ToArray(),
            [TypeUrls.Cluster] = clusters,
            [TypeUrls.Endpoint] = clusters,
        };
        _call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).StreamAggregatedResources(cancellationToken: cancellationToken);
        _loop = RunAsync(id, cancellationToken);
    }

    /// <summary>Completed once every subscribed type has been received and ACKed once.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Calls <paramref name="reached"/> (with a timestamp) the first time a route version &gt;= <paramref name="revision"/> is ACKed.</summary>
    public void Await(long revision, Action<long> reached)
    {
        _reached = reached;
        Interlocked.Exchange(ref _target, revision);
    }

    /// <summary>The timestamp of the first route ACK at or past <paramref name="revision"/>, or null if there was none yet.</summary>
    public long? AckedAt(long revision) => _routeAcks.Where(a => a.Version >= revision).Select(a => (long?)a.At).FirstOrDefault();

    private async Task RunAsync(string id, CancellationToken cancellationToken)
    {
        var first = true;
        foreach (var (type, names) in _names)
        {
            var request = new DiscoveryRequest { TypeUrl = type, ResourceNames = { names } };
            if (first)
            {
                request.Node = new Node { Id = id, UserAgentName = "lightmesh-bench", Locality = new Locality() };
                first = false;
            }

            await _call.RequestStream.WriteAsync(request, cancellationToken);
        }

        var seen = new HashSet<string>();
        try
        {
            await foreach (var response in _call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                await _writeLock.WaitAsync(cancellationToken);
                try
                {
                    await _call.RequestStream.WriteAsync(new DiscoveryRequest
                    {
                        TypeUrl = response.TypeUrl, VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce, ResourceNames = { _names[response.TypeUrl] },
                    }, cancellationToken);
                }
                finally
                {
                    _writeLock.Release();
                }

                if (seen.Add(response.TypeUrl) && seen.Count == _names.Count)
                {
                    Ready.TrySetResult();
                }

                var version = response.TypeUrl == TypeUrls.Route ? long.Parse(response.VersionInfo, System.Globalization.CultureInfo.InvariantCulture) : 0;
                if (response.TypeUrl == TypeUrls.Route)
                {
                    _routeAcks.Enqueue((version, Stopwatch.GetTimestamp()));
                }

                if (response.TypeUrl == TypeUrls.Route && version >= Interlocked.Read(ref _target))
                {
                    Interlocked.Exchange(ref _target, long.MaxValue);
                    _reached?.Invoke(Stopwatch.GetTimestamp());
                }
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // the benchmark is over
        }
    }

    public async ValueTask DisposeAsync()
    {
        _call.Dispose();
        await _loop;
        _writeLock.Dispose();
    }
}
