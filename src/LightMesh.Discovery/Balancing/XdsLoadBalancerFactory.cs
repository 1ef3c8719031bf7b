using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.Logging;

namespace LightMesh.Discovery.Balancing;

/// <summary>The load-balancing policy of <c>xds:///</c> channels: per-call routing, weighted clusters, round robin inside a cluster.</summary>
public sealed class XdsLoadBalancerFactory : LoadBalancerFactory
{
    public override string Name => XdsLoadBalancingConfig.Policy;

    public override LoadBalancer Create(LoadBalancerOptions options) =>
        new XdsLoadBalancer(options.Controller, options.LoggerFactory.CreateLogger<XdsLoadBalancer>());
}
