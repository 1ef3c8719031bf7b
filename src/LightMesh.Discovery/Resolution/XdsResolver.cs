using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using LightMesh.Discovery.Balancing;
using LightMesh.Discovery.Telemetry;
using LightMesh.Discovery.Xds.Client;
using LightMesh.Discovery.Xds.Resources;
using LightMesh.Discovery.Xds.Routing;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging;

namespace LightMesh.Discovery.Resolution;

/// <summary>
/// Resolves <c>xds:///TARGET</c> as gRPC's xDS resolver does: the API listener named TARGET gives the route
/// configuration, its virtual host for TARGET gives the routes, and each cluster they name gives its endpoints. The
/// channel gets every endpoint as an address and the routing in its service config, for <see cref="XdsLoadBalancer"/>.
/// A new configuration is handed over only once every cluster it names is known, so a route never points at a cluster
/// the channel cannot reach yet; until then, and while the control plane is away, the last one stays in use.
/// All callbacks run on the shared <see cref="XdsClient"/>'s loop, one at a time.
/// </summary>
internal sealed class XdsResolver(string target, XdsClient client, ILogger logger) : Resolver
{
    private readonly Dictionary<string, ClusterWatch> _clusters = new(StringComparer.Ordinal);
    private Action<ResolverResult>? _listener;
    private IDisposable? _listenerWatch;
    private IDisposable? _routeWatch;
    private ListenerResource? _lds;
    private string? _routeName;
    private RouteConfigResource? _routes;
    private volatile bool _disposed;

    public override void Start(Action<ResolverResult> listener)
    {
        _listener = listener;
        _listenerWatch = client.Watch(TypeUrls.Listener, target, OnListener);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _listenerWatch?.Dispose();
            _routeWatch?.Dispose();
            foreach (var cluster in _clusters.Values)
            {
                cluster.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void OnListener(ResourceUpdate update)
    {
        if (_disposed || KeptLastGood(update, _lds))
        {
            return;
        }

        if (update.Resource is not ListenerResource listener)
        {
            _lds = null;
            Fail(update.DoesNotExist ? $"the control plane has no listener {target}" : $"the listener {target} was rejected: {update.Error}");
            return;
        }

        _lds = listener;
        if (listener.InlineRoutes is { } inline)
        {
            WatchRoutes(null);
            _routes = inline;
        }
        else if (listener.RouteConfigName != _routeName)
        {
            WatchRoutes(listener.RouteConfigName); // the last routes stay in use until the new ones arrive
            return;
        }

        Update();
    }

    private void WatchRoutes(string? name)
    {
        _routeWatch?.Dispose();
        _routeWatch = null;
        _routeName = name;
        if (name is not null)
        {
            _routeWatch = client.Watch(TypeUrls.Route, name, update => OnRoutes(name, update));
        }
    }

    private void OnRoutes(string name, ResourceUpdate update)
    {
        if (_disposed || name != _routeName || KeptLastGood(update, _routes))
        {
            return;
        }

        if (update.Resource is not RouteConfigResource routes)
        {
            _routes = null;
            Fail(update.DoesNotExist ? $"the control plane has no route configuration {name}" : $"the route configuration {name} was rejected: {update.Error}");
            return;
        }

        _routes = routes;
        Update();
    }

    /// <summary>
    /// True when <paramref name="update"/> only says a newer version was rejected while the one in use stays (gRFC A46).
    /// </summary>
    private bool KeptLastGood(ResourceUpdate update, object? inUse)
    {
        if (update.Error is null || update.Resource is null || !ReferenceEquals(update.Resource, inUse))
        {
            return false;
        }

        Log.XdsKeptLastGood(logger, target, TypeUrls.ShortName(update.TypeUrl), update.Name, update.Error);
        return true;
    }

    /// <summary>Follows the clusters the target's virtual host names, and publishes once all of them are known.</summary>
    private void Update()
    {
        if (_lds is null || _routes is null)
        {
            return;
        }

        var host = VirtualHostRoutes.Select(_routes.VirtualHosts, target);
        if (host is null)
        {
            Fail($"the route configuration {_routes.Name} has no virtual host for {target}");
            return;
        }

        var wanted = host.Routes.SelectMany(r => r.Clusters).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _clusters.Keys.Where(name => !wanted.Contains(name)).ToList())
        {
            _clusters[gone].Dispose();
            _clusters.Remove(gone);
        }

        foreach (var name in wanted.Where(name => !_clusters.ContainsKey(name)))
        {
            var watch = new ClusterWatch(name);
            _clusters[name] = watch;
            watch.Cds = client.Watch(TypeUrls.Cluster, name, update => OnCluster(watch, update));
        }

        if (wanted.All(name => _clusters[name].Settled))
        {
            Publish(host, wanted);
        }
    }

    private void Publish(VirtualHostRoutes host, HashSet<string> clusters)
    {
        var routing = new XdsRouting(target, host.Name, host.Routes, clusters.ToDictionary(name => name, name => _clusters[name].Endpoints(), StringComparer.Ordinal));
        var addresses = routing.Clusters.Values
            .SelectMany(c => c.Endpoints)
            .Distinct()
            .Select(e => new BalancerAddress(e.Host, e.Port))
            .ToList();
        Log.XdsResolved(logger, target, host.Name, host.Routes.Count, routing.Clusters.Count, addresses.Count);
        _listener?.Invoke(ResolverResult.ForResult(addresses, new ServiceConfig { LoadBalancingConfigs = { new XdsLoadBalancingConfig(routing) } }, null));
    }

    private void Fail(string reason)
    {
        Log.XdsResolveFailed(logger, target, reason);
        _listener?.Invoke(ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"xds:///{target}: {reason}")));
    }

    private void OnCluster(ClusterWatch watch, ResourceUpdate update)
    {
        if (_disposed || !IsCurrent(watch) || KeptLastGood(update, watch.Cluster))
        {
            return;
        }

        if (update.Resource is ClusterResource cluster)
        {
            watch.Cluster = cluster;
            watch.Problem = null;
            if (watch.EdsName != cluster.EdsServiceName)
            {
                var eds = cluster.EdsServiceName;
                watch.FollowEndpoints(eds, client.Watch(TypeUrls.Endpoint, eds, u => OnEndpoints(watch, eds, u)));
            }
        }
        else
        {
            watch.Cluster = null;
            watch.FollowEndpoints(null, null);
            watch.Problem = update.DoesNotExist ? "the control plane has no such cluster" : $"rejected: {update.Error}";
        }

        Update();
    }

    private void OnEndpoints(ClusterWatch watch, string eds, ResourceUpdate update)
    {
        if (_disposed || !IsCurrent(watch) || watch.EdsName != eds || KeptLastGood(update, watch.Assignment))
        {
            return;
        }

        watch.Assignment = update.Resource as EndpointsResource;
        watch.EndpointsProblem = watch.Assignment is not null ? null
            : update.DoesNotExist ? $"no endpoints: the control plane has no ClusterLoadAssignment {eds}"
            : $"its ClusterLoadAssignment {eds} was rejected: {update.Error}";
        Update();
    }

    private bool IsCurrent(ClusterWatch watch) => _clusters.TryGetValue(watch.Name, out var current) && ReferenceEquals(current, watch);

    /// <summary>One cluster the routes name: its Cluster resource, and the endpoints it gets by EDS.</summary>
    private sealed class ClusterWatch(string name) : IDisposable
    {
        private IDisposable? _eds;

        public string Name { get; } = name;
        public IDisposable? Cds { get; set; }
        public ClusterResource? Cluster { get; set; }
        public string? Problem { get; set; }
        public string? EdsName { get; private set; }
        public EndpointsResource? Assignment { get; set; }
        public string? EndpointsProblem { get; set; }

        /// <summary>True once what calls to this cluster do is known: go to its endpoints, or fail for a reason.</summary>
        public bool Settled => Problem is not null || (Cluster is not null && (Assignment is not null || EndpointsProblem is not null));

        public void FollowEndpoints(string? eds, IDisposable? watch)
        {
            _eds?.Dispose();
            _eds = watch;
            EdsName = eds;
            Assignment = null;
            EndpointsProblem = null;
        }

        public ClusterEndpoints Endpoints() => new(
            Name,
            Cluster?.Policy ?? ClusterLbPolicy.RoundRobin,
            Assignment?.Endpoints ?? [],
            Problem ?? EndpointsProblem);

        public void Dispose()
        {
            Cds?.Dispose();
            _eds?.Dispose();
        }
    }
}
