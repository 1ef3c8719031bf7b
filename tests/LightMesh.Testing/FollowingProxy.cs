using Envoy.Service.Discovery.V3;
using Grpc.Core;
using LightMesh.Xds.Translation;

namespace LightMesh.Testing;

/// <summary>
/// A simulated proxyless gRPC client of one service on a mesh of several controllers: it subscribes as gRPC does (LDS,
/// RDS, CDS and EDS by name), ACKs every answer unless held, and when its stream ends connects to the next control plane
/// in its list, as a bootstrap that lists several does.
/// </summary>
public sealed class FollowingProxy : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly string _nodeId;
    private readonly int[] _xdsPorts;
    private readonly Dictionary<string, string[]> _names;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _holding;
    private volatile Func<DiscoveryResponse, bool>? _holdFrom;
    private int _current;

    /// <param name="xdsPorts">The control planes it may connect to, in order; it starts with the first.</param>
    public FollowingProxy(string nodeId, string service, int port, params int[] xdsPorts)
    {
        _nodeId = nodeId;
        _xdsPorts = xdsPorts;
        string[] clusters = [$"outbound|{port}|stable|{service}", $"outbound|{port}|canary|{service}"];
        _names = new Dictionary<string, string[]>
        {
            [TypeUrls.Listener] = [$"{service}:{port}"],
            [TypeUrls.Route] = [$"{port}"],
            [TypeUrls.Cluster] = clusters,
            [TypeUrls.Endpoint] = clusters,
        };
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The xDS port of the control plane it is on, or was last on.</summary>
    public int XdsPort => _xdsPorts[Volatile.Read(ref _current)];

    /// <summary>
    /// From the first answer <paramref name="first"/> accepts on, it takes answers without ACKing them, as a proxy that
    /// cannot apply them does.
    /// </summary>
    public void HoldFrom(Func<DiscoveryResponse, bool> first) => _holdFrom = first;

    /// <summary>ACKs what it holds, and every answer after.</summary>
    public void Release() => (_holdFrom, _holding) = (null, false);

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var client = new AdsTestClient(XdsPort, _nodeId);
                await ServeAsync(client);
            }
            catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException && !_stop.IsCancellationRequested)
            {
                // The control plane is gone: the next one in the list.
            }

            if (!_stop.IsCancellationRequested)
            {
                Volatile.Write(ref _current, (_current + 1) % _xdsPorts.Length);
                await Task.Delay(Poll, CancellationToken.None);
            }
        }
    }

    private async Task ServeAsync(AdsTestClient client)
    {
        foreach (var (type, names) in _names)
        {
            await client.SendAsync(type, names: names);
        }

        var ended = client.EndedAsync(Timeout.InfiniteTimeSpan);
        var held = new Dictionary<string, DiscoveryResponse>();
        while (!_stop.IsCancellationRequested && !ended.IsCompleted)
        {
            try
            {
                var response = await client.ReceiveAsync(Poll);
                held[response.TypeUrl] = response;
                if (_holdFrom is { } first && first(response))
                {
                    _holding = true;
                }
            }
            catch (OperationCanceledException)
            {
                // Nothing new within the poll.
            }

            if (!_holding)
            {
                foreach (var response in held.Values)
                {
                    await client.AckAsync(response, _names[response.TypeUrl]);
                }

                held.Clear();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
