using System.Threading.Channels;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;

namespace LightMesh.Testing;

/// <summary>A hand-driven ADS client: sends exactly the requests a test writes and hands back each response.</summary>
public sealed class AdsTestClient : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> _call;
    private readonly Channel<DiscoveryResponse> _responses = Channel.CreateUnbounded<DiscoveryResponse>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly string _nodeId;
    private bool _sentNode;

    public AdsTestClient(int port, string nodeId)
    {
        _nodeId = nodeId;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        _call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_channel).StreamAggregatedResources(cancellationToken: _stop.Token);
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var response in _call.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    await _responses.Writer.WriteAsync(response);
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                // the test closed the stream
            }
        });
    }

    public async Task SendAsync(string typeUrl, string nonce = "", string version = "", params string[] names)
    {
        var request = new DiscoveryRequest { TypeUrl = typeUrl, ResponseNonce = nonce, VersionInfo = version };
        request.ResourceNames.AddRange(names);
        if (!_sentNode)
        {
            request.Node = new Node { Id = _nodeId, UserAgentName = "lightmesh-tests" };
            _sentNode = true;
        }

        await _call.RequestStream.WriteAsync(request);
    }

    public Task SendRawAsync(DiscoveryRequest request) => _call.RequestStream.WriteAsync(request);

    public Task AckAsync(DiscoveryResponse response, params string[] names) => SendAsync(response.TypeUrl, response.Nonce, response.VersionInfo, names);

    /// <summary>The next response, failing the test if none comes within <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<DiscoveryResponse> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _responses.Reader.ReadAsync(cts.Token);
    }

    /// <summary>True when no response arrives within <paramref name="window"/>.</summary>
    public async Task<bool> QuietForAsync(TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            await _responses.Reader.WaitToReadAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Subscribes like a proxyless gRPC client to one service: LDS, RDS, CDS and EDS by name, ACKing each.</summary>
    public async Task<Dictionary<string, DiscoveryResponse>> SubscribeLikeGrpcAsync(string listener, string route, params string[] clusters)
    {
        var got = new Dictionary<string, DiscoveryResponse>();
        foreach (var (type, names) in new[] { (Xds.Translation.TypeUrls.Listener, new[] { listener }), (Xds.Translation.TypeUrls.Route, [route]), (Xds.Translation.TypeUrls.Cluster, clusters), (Xds.Translation.TypeUrls.Endpoint, clusters) })
        {
            await SendAsync(type, names: names);
            var response = await ReceiveAsync();
            Assert.Equal(type, response.TypeUrl);
            await AckAsync(response, names);
            got[type] = response;
        }

        return got;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _call.Dispose();
        await _reader;
        _channel.Dispose();
        _stop.Dispose();
    }
}
