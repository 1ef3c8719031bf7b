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
    private readonly TaskCompletionSource<Status> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _nodeId;
    private readonly string? _nodeMetadataToken;
    private bool _sentNode;

    /// <param name="headerToken">A proxy token sent as gRPC metadata, as Envoy's <c>initial_metadata</c> sends it.</param>
    /// <param name="nodeMetadataToken">A proxy token sent in the node's metadata, as a proxyless gRPC client's bootstrap sends it.</param>
    public AdsTestClient(int port, string nodeId, string? headerToken = null, string? nodeMetadataToken = null)
    {
        _nodeId = nodeId;
        _nodeMetadataToken = nodeMetadataToken;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var headers = headerToken is null ? null : new Metadata { { Core.Mesh.ProxyToken.MetadataKey, headerToken } };
        _call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_channel).StreamAggregatedResources(headers, cancellationToken: _stop.Token);
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var response in _call.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    await _responses.Writer.WriteAsync(response);
                }

                _ended.TrySetResult(Status.DefaultSuccess);
            }
            catch (RpcException e)
            {
                _ended.TrySetResult(e.Status); // the server ended the stream, or the test closed it
            }
            catch (OperationCanceledException)
            {
                _ended.TrySetResult(Status.DefaultCancelled); // the test closed the stream
            }
        });
    }

    /// <summary>The status the stream ended with; waits up to <paramref name="timeout"/> (default 10 s) for the end.</summary>
    public Task<Status> EndedAsync(TimeSpan? timeout = null) => _ended.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    public async Task SendAsync(string typeUrl, string nonce = "", string version = "", params string[] names)
    {
        var request = new DiscoveryRequest { TypeUrl = typeUrl, ResponseNonce = nonce, VersionInfo = version };
        request.ResourceNames.AddRange(names);
        if (!_sentNode)
        {
            request.Node = new Node { Id = _nodeId, UserAgentName = "lightmesh-tests" };
            if (_nodeMetadataToken is not null)
            {
                request.Node.Metadata = new Google.Protobuf.WellKnownTypes.Struct { Fields = { [Core.Mesh.ProxyToken.MetadataKey] = Google.Protobuf.WellKnownTypes.Value.ForString(_nodeMetadataToken) } };
            }

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
