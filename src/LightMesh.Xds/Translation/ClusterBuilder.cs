using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using ProtoDuration = Google.Protobuf.WellKnownTypes.Duration;

namespace LightMesh.Xds.Translation;

/// <summary>Builds a service's clusters (the whole service, and one per subset) and their endpoints.</summary>
internal static class ClusterBuilder
{
    private static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    public static IEnumerable<(Cluster Cluster, ClusterLoadAssignment Endpoints)> Build(MeshService service, DestinationRule? rule, IReadOnlyList<Instance> instances)
    {
        var port = service.Spec.Port;
        var whole = ClusterNames.Outbound(port, null, service.Name);
        yield return (Cluster(whole, rule?.Spec.TrafficPolicy), Endpoints(whole, instances));
        foreach (var subset in rule?.Spec.Subsets ?? [])
        {
            var name = ClusterNames.Outbound(port, subset.Name, service.Name);
            var members = instances.Where(i => subset.Labels.All(l => i.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
            yield return (Cluster(name, Merge(rule!.Spec.TrafficPolicy, subset.TrafficPolicy)), Endpoints(name, members));
        }
    }

    /// <summary>A subset's policy overrides the service's field by field, as in Istio.</summary>
    private static TrafficPolicy? Merge(TrafficPolicy? service, TrafficPolicy? subset) =>
        subset is null ? service : service is null ? subset : new TrafficPolicy
        {
            LoadBalancer = subset.LoadBalancer ?? service.LoadBalancer,
            ConnectionPool = subset.ConnectionPool ?? service.ConnectionPool,
            OutlierDetection = subset.OutlierDetection ?? service.OutlierDetection,
        };

    private static Cluster Cluster(string name, TrafficPolicy? policy)
    {
        var cluster = new Cluster
        {
            Name = name,
            Type = Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Eds,
            EdsClusterConfig = new Envoy.Config.Cluster.V3.Cluster.Types.EdsClusterConfig { EdsConfig = Sources.Ads(), ServiceName = name },
            ConnectTimeout = ProtoDuration.FromTimeSpan(policy?.ConnectionPool?.ConnectTimeout?.Value ?? DefaultConnectTimeout),
            LbPolicy = policy?.LoadBalancer switch
            {
                LoadBalancerKind.LeastRequest => Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.LeastRequest,
                LoadBalancerKind.Random => Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.Random,
                _ => Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.RoundRobin,
            },
        };

        if (policy?.ConnectionPool is { } pool && (pool.MaxConnections ?? pool.Http1MaxPendingRequests ?? pool.Http2MaxRequests ?? pool.MaxRetries) is not null)
        {
            cluster.CircuitBreakers = new CircuitBreakers
            {
                Thresholds =
                {
                    new CircuitBreakers.Types.Thresholds
                    {
                        MaxConnections = (uint?)pool.MaxConnections,
                        MaxPendingRequests = (uint?)pool.Http1MaxPendingRequests,
                        MaxRequests = (uint?)pool.Http2MaxRequests,
                        MaxRetries = (uint?)pool.MaxRetries,
                    },
                },
            };
        }

        if (policy?.OutlierDetection is { } outlier)
        {
            cluster.OutlierDetection = new Envoy.Config.Cluster.V3.OutlierDetection
            {
                Consecutive5Xx = (uint?)outlier.Consecutive5xxErrors,
                ConsecutiveGatewayFailure = (uint?)outlier.ConsecutiveGatewayErrors,
                EnforcingConsecutiveGatewayFailure = outlier.ConsecutiveGatewayErrors is null ? null : 100u,
                Interval = outlier.Interval is { } interval ? ProtoDuration.FromTimeSpan(interval.Value) : null,
                BaseEjectionTime = outlier.BaseEjectionTime is { } ejection ? ProtoDuration.FromTimeSpan(ejection.Value) : null,
                MaxEjectionPercent = (uint?)outlier.MaxEjectionPercent,
            };
            if (outlier.MinHealthPercent is { } minHealth)
            {
                cluster.CommonLbConfig = new Envoy.Config.Cluster.V3.Cluster.Types.CommonLbConfig { HealthyPanicThreshold = new Envoy.Type.V3.Percent { Value = minHealth } };
            }
        }

        return cluster;
    }

    private static ClusterLoadAssignment Endpoints(string cluster, IEnumerable<Instance> instances)
    {
        var locality = new LocalityLbEndpoints { Locality = new Locality(), LoadBalancingWeight = 1 };
        foreach (var instance in instances
                     .DistinctBy(i => (i.Address, i.Port))
                     .OrderBy(i => i.Address, StringComparer.Ordinal)
                     .ThenBy(i => i.Port))
        {
            locality.LbEndpoints.Add(new LbEndpoint
            {
                Endpoint = new Endpoint
                {
                    Address = new Address { SocketAddress = new SocketAddress { Address = instance.Address, PortValue = (uint)instance.Port } },
                },
                HealthStatus = HealthStatus.Healthy,
            });
        }

        var assignment = new ClusterLoadAssignment { ClusterName = cluster };
        if (locality.LbEndpoints.Count > 0)
        {
            assignment.Endpoints.Add(locality);
        }

        return assignment;
    }
}
