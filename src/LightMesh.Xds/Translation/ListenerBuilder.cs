using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Extensions.Filters.Http.Router.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf.WellKnownTypes;
using LightMesh.Core.Mesh;

namespace LightMesh.Xds.Translation;

/// <summary>Builds listeners: an API listener per service for proxyless gRPC, an outbound listener per node for Envoy.</summary>
internal static class ListenerBuilder
{
    /// <summary>The listeners a proxyless gRPC client looks up for <c>xds:///NAME:PORT</c> (and <c>xds:///NAME</c>).</summary>
    public static IEnumerable<Listener> ApiListeners(MeshService service) => ApiListeners(service.Name, service.Spec.Port);

    /// <summary>The listeners for <c>xds:///HOST:PORT</c> and <c>xds:///HOST</c>, served from the route configuration of <paramref name="port"/>.</summary>
    public static IEnumerable<Listener> ApiListeners(string host, int port)
    {
        var manager = Any.Pack(Manager(host, ClusterNames.RouteForPort(port)));
        foreach (var name in new[] { $"{host}:{port}", host })
        {
            yield return new Listener { Name = name, ApiListener = new ApiListener { ApiListener_ = manager } };
        }
    }

    /// <summary>
    /// The listener of the Envoy sidecar on <paramref name="node"/>: apps send to 127.0.0.1:PROXYPORT with the
    /// service's name as host (no iptables), and the route configuration holding every service picks the route.
    /// </summary>
    public static Listener Sidecar(MeshNode node) => new()
    {
        Name = ClusterNames.SidecarListener(node.Name),
        Address = new Address { SocketAddress = new SocketAddress { Address = "127.0.0.1", PortValue = (uint)node.Spec.EffectiveProxyPort } },
        TrafficDirection = TrafficDirection.Outbound,
        FilterChains =
        {
            new FilterChain
            {
                Name = "outbound",
                Filters = { new Filter { Name = FilterNames.HttpConnectionManager, TypedConfig = Any.Pack(Manager($"outbound_{node.Spec.EffectiveProxyPort}", ClusterNames.SidecarRoute)) } },
            },
        },
    };

    private static HttpConnectionManager Manager(string statPrefix, string routeName) => new()
    {
        CodecType = HttpConnectionManager.Types.CodecType.Auto,
        StatPrefix = statPrefix,
        Rds = new Rds { ConfigSource = Sources.Ads(), RouteConfigName = routeName },
        HttpFilters =
        {
            // The fault filter does nothing unless a route configures it; the router must come last.
            new HttpFilter { Name = FilterNames.Fault, TypedConfig = Any.Pack(new HTTPFault()) },
            new HttpFilter { Name = FilterNames.Router, TypedConfig = Any.Pack(new Router()) },
        },
    };
}
