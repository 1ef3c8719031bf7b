using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Extensions.Filters.Http.Router.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using LightMesh.Xds.Translation;

namespace LightMesh.Discovery.Xds.Resources;

/// <summary>
/// Reads the resources of an ADS response as a proxyless gRPC client uses them, and says everything it cannot use,
/// each with its field path. Pure. Fields a client has no use for are ignored; a value it cannot honour makes the
/// resource invalid (gRFC A46: the response is NACKed and the last good version of that resource stays in use).
/// </summary>
internal static partial class ResourceDecoder
{
    private static readonly string HttpConnectionManagerType = TypeUrls.Prefix + HttpConnectionManager.Descriptor.FullName;
    private static readonly string RouterType = TypeUrls.Prefix + Router.Descriptor.FullName;
    private static readonly string FaultType = TypeUrls.Prefix + HTTPFault.Descriptor.FullName;

    public static DecodedResource Decode(string typeUrl, Any resource)
    {
        if (resource.TypeUrl != typeUrl)
        {
            return new DecodedResource(null, null, [$"a {resource.TypeUrl} in a response for {typeUrl}"]);
        }

        try
        {
            return typeUrl switch
            {
                TypeUrls.Listener => Listener(Envoy.Config.Listener.V3.Listener.Parser.ParseFrom(resource.Value)),
                TypeUrls.Route => Routes(Envoy.Config.Route.V3.RouteConfiguration.Parser.ParseFrom(resource.Value)),
                TypeUrls.Cluster => Cluster(Envoy.Config.Cluster.V3.Cluster.Parser.ParseFrom(resource.Value)),
                TypeUrls.Endpoint => Endpoints(ClusterLoadAssignment.Parser.ParseFrom(resource.Value)),
                _ => new DecodedResource(null, null, [$"{typeUrl} is not a resource type this client asks for"]),
            };
        }
        catch (InvalidProtocolBufferException e)
        {
            return new DecodedResource(null, null, [$"not a valid {typeUrl}: {e.Message}"]);
        }
    }

    private static DecodedResource Listener(Listener listener)
    {
        var errors = new List<string>();
        var name = Named(listener.Name, errors);
        if (listener.ApiListener?.ApiListener_ is not { } packed)
        {
            errors.Add("api_listener: required; a proxyless client uses API listeners only");
            return new DecodedResource(name, null, errors);
        }

        if (packed.TypeUrl != HttpConnectionManagerType)
        {
            errors.Add($"api_listener.api_listener: {packed.TypeUrl} is not an HttpConnectionManager");
            return new DecodedResource(name, null, errors);
        }

        var manager = HttpConnectionManager.Parser.ParseFrom(packed.Value);
        string? routeName = null;
        RouteConfigResource? inline = null;
        switch (manager.RouteSpecifierCase)
        {
            case HttpConnectionManager.RouteSpecifierOneofCase.Rds:
                if (!IsAds(manager.Rds.ConfigSource))
                {
                    errors.Add("api_listener.rds.config_source: must be ads or self");
                }

                routeName = manager.Rds.RouteConfigName;
                if (routeName.Length == 0)
                {
                    errors.Add("api_listener.rds.route_config_name: required");
                }

                break;
            case HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig:
                var routes = Routes(manager.RouteConfig);
                errors.AddRange(routes.Errors.Select(e => $"api_listener.route_config.{e}"));
                inline = routes.Resource as RouteConfigResource;
                break;
            default:
                errors.Add("api_listener: neither rds nor route_config is set");
                break;
        }

        CheckFilters(manager, errors);
        return new DecodedResource(name, errors.Count == 0 ? new ListenerResource(name!, routeName, inline) : null, errors);
    }

    /// <summary>Filters must have unique names and known types (or be optional), and the router must come last.</summary>
    private static void CheckFilters(HttpConnectionManager manager, List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < manager.HttpFilters.Count; i++)
        {
            var filter = manager.HttpFilters[i];
            var path = $"api_listener.http_filters[{i}] ({filter.Name})";
            if (!names.Add(filter.Name))
            {
                errors.Add($"{path}: the name is used twice");
            }

            var type = filter.TypedConfig?.TypeUrl;
            if (type == RouterType)
            {
                if (i != manager.HttpFilters.Count - 1)
                {
                    errors.Add($"{path}: the router must be the last filter");
                }
            }
            else if (type != FaultType && !filter.IsOptional)
            {
                errors.Add($"{path}: {(type is null ? "no typed_config" : type + " is not a filter this client supports")}");
            }
        }

        if (manager.HttpFilters.Count == 0 || manager.HttpFilters[^1].TypedConfig?.TypeUrl != RouterType)
        {
            errors.Add("api_listener.http_filters: the last filter must be the router");
        }
    }

    private static DecodedResource Cluster(Cluster cluster)
    {
        var errors = new List<string>();
        var name = Named(cluster.Name, errors);
        if (cluster.ClusterDiscoveryTypeCase != Envoy.Config.Cluster.V3.Cluster.ClusterDiscoveryTypeOneofCase.Type
            || cluster.Type != Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Eds)
        {
            errors.Add($"type: {cluster.Type} is not supported; only EDS");
        }
        else if (!IsAds(cluster.EdsClusterConfig?.EdsConfig))
        {
            errors.Add("eds_cluster_config.eds_config: must be ads or self");
        }

        ClusterLbPolicy? policy = cluster.LbPolicy switch
        {
            Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.RoundRobin => ClusterLbPolicy.RoundRobin,
            Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.LeastRequest => ClusterLbPolicy.LeastRequest,
            Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.Random => ClusterLbPolicy.Random,
            _ => null,
        };
        if (policy is null)
        {
            errors.Add($"lb_policy: {cluster.LbPolicy} is not supported; ROUND_ROBIN, LEAST_REQUEST or RANDOM");
        }

        var service = cluster.EdsClusterConfig?.ServiceName is { Length: > 0 } s ? s : name;
        return new DecodedResource(name, errors.Count == 0 ? new ClusterResource(name!, service!, policy!.Value) : null, errors);
    }

    /// <summary>
    /// The endpoints of the lowest priority among localities that have a weight (gRPC skips a locality without one);
    /// endpoints whose health is neither UNKNOWN nor HEALTHY are left out.
    /// </summary>
    private static DecodedResource Endpoints(ClusterLoadAssignment assignment)
    {
        var errors = new List<string>();
        var name = Named(assignment.ClusterName, errors);
        var weighted = assignment.Endpoints.Select((locality, index) => (Locality: locality, Index: index)).Where(l => (l.Locality.LoadBalancingWeight ?? 0) > 0).ToList();
        var priority = weighted.Count == 0 ? 0 : weighted.Min(l => l.Locality.Priority);
        var endpoints = new List<EndpointAddress>();
        var seen = new HashSet<EndpointAddress>();
        foreach (var (locality, i) in weighted.Where(l => l.Locality.Priority == priority))
        {
            for (var j = 0; j < locality.LbEndpoints.Count; j++)
            {
                var path = $"endpoints[{i}].lb_endpoints[{j}]";
                var endpoint = locality.LbEndpoints[j];
                if (endpoint.Endpoint?.Address?.SocketAddress is not { } socket
                    || socket.Address.Length == 0 || socket.PortSpecifierCase != SocketAddress.PortSpecifierOneofCase.PortValue)
                {
                    errors.Add($"{path}.endpoint.address: a socket_address with an address and a port_value is required");
                    continue;
                }

                if (socket.PortValue is 0 or > 65535)
                {
                    errors.Add($"{path}.endpoint.address.socket_address.port_value: {socket.PortValue} is not a port");
                    continue;
                }

                var address = new EndpointAddress(socket.Address, (int)socket.PortValue);
                if (!seen.Add(address))
                {
                    errors.Add($"{path}: {address} is listed twice");
                }
                else if (endpoint.HealthStatus is HealthStatus.Unknown or HealthStatus.Healthy)
                {
                    endpoints.Add(address);
                }
            }
        }

        return new DecodedResource(name, errors.Count == 0 ? new EndpointsResource(name!, endpoints) : null, errors);
    }

    private static bool IsAds(ConfigSource? source) =>
        source?.ConfigSourceSpecifierCase is ConfigSource.ConfigSourceSpecifierOneofCase.Ads or ConfigSource.ConfigSourceSpecifierOneofCase.Self;

    private static string? Named(string name, List<string> errors)
    {
        if (name.Length > 0)
        {
            return name;
        }

        errors.Add("name: required");
        return null;
    }
}
