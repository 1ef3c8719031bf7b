using Envoy.Service.Discovery.V3;
using Grpc.Core;
using LightMesh.Core.Mesh;

namespace LightMesh.ControlPlane.Ads;

/// <summary>The gRPC endpoint of ADS: a thin adapter over <see cref="ProxyRegistry"/>.</summary>
public sealed class AdsService(ProxyRegistry registry) : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
{
    public override Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context) =>
        registry.ServeAsync(requestStream, responseStream, context.RequestHeaders.GetValue(ProxyToken.MetadataKey), context.CancellationToken);
}
