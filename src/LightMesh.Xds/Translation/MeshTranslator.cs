using Envoy.Config.Route.V3;

namespace LightMesh.Xds.Translation;

/// <summary>
/// Turns a mesh snapshot into xDS resources. Pure: the same snapshot and previous result give the same resources.
/// A virtual host that would send traffic to a cluster with no endpoints is not sent; the service's last good
/// virtual host stays and the problem is reported, so a route can never black-hole what used to work.
/// </summary>
public static class MeshTranslator
{
    public static XdsSnapshot Translate(MeshSnapshot mesh, XdsSnapshot previous)
    {
        var services = mesh.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var rules = mesh.DestinationRules.ToDictionary(r => r.Spec.Host, StringComparer.Ordinal);
        var routing = mesh.VirtualServices.SelectMany(vs => vs.Spec.Hosts.Select(h => (Host: h, Vs: vs))).ToDictionary(x => x.Host, x => x.Vs, StringComparer.Ordinal);
        var instances = mesh.Instances.ToLookup(i => i.Service, StringComparer.Ordinal);

        var clusters = new List<XdsResource>();
        var endpoints = new List<XdsResource>();
        var populated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in mesh.Services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var (cluster, assignment) in ClusterBuilder.Build(service, rules.GetValueOrDefault(service.Name), [.. instances[service.Name]]))
            {
                clusters.Add(new XdsResource(cluster.Name, cluster));
                endpoints.Add(new XdsResource(assignment.ClusterName, assignment));
                if (assignment.Endpoints.Count > 0)
                {
                    populated.Add(cluster.Name);
                }
            }
        }

        var clusterNames = clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        var goodHosts = new Dictionary<string, GoodHost>(StringComparer.Ordinal);
        foreach (var service in mesh.Services)
        {
            var built = RouteBuilder.Build(service, routing.GetValueOrDefault(service.Name), services);
            // Held back: changed routes that would send traffic to a cluster with no endpoints, while the last
            // good routes are there to keep. Unchanged routes are sent as they are, empty clusters or not.
            var empty = built.TrafficClusters.Where(c => !populated.Contains(c)).Order(StringComparer.Ordinal).ToList();
            if (empty.Count > 0 && previous.GoodHosts.TryGetValue(service.Name, out var lastGood)
                && !lastGood.Host.Equals(built.Host) && lastGood.TrafficClusters.All(clusterNames.Contains))
            {
                problems.Add($"{service.Name}: routes send traffic to {string.Join(", ", empty)} with no endpoints; keeping the last good routes");
                goodHosts[service.Name] = lastGood;
            }
            else
            {
                goodHosts[service.Name] = new GoodHost(built.Host, built.TrafficClusters);
            }
        }

        var routes = new List<XdsResource>();
        var clustersOfRoute = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var group in mesh.Services.GroupBy(s => s.Spec.Port).OrderBy(g => g.Key))
        {
            AddRoute(ClusterNames.RouteForPort(group.Key), group.Select(s => goodHosts[s.Name]));
        }

        AddRoute(ClusterNames.SidecarRoute, mesh.Services.Select(s => goodHosts[s.Name]));

        var apiListeners = mesh.Services.SelectMany(ListenerBuilder.ApiListeners).Select(l => new XdsResource(l.Name, l));
        var sidecars = mesh.Nodes.Select(n => new XdsResource(n.Name, ListenerBuilder.Sidecar(n)));
        return new XdsSnapshot
        {
            Revision = mesh.Revision,
            Clusters = XdsSnapshot.Map(clusters),
            Endpoints = XdsSnapshot.Map(endpoints),
            Routes = XdsSnapshot.Map(routes),
            ApiListeners = XdsSnapshot.Map(apiListeners),
            SidecarListeners = XdsSnapshot.Map(sidecars),
            ClustersOfRoute = clustersOfRoute,
            GoodHosts = goodHosts,
            Problems = problems,
        };

        void AddRoute(string name, IEnumerable<GoodHost> hosts)
        {
            var ordered = hosts.OrderBy(h => h.Host.Name, StringComparer.Ordinal).ToList();
            var configuration = new RouteConfiguration { Name = name, VirtualHosts = { ordered.Select(h => h.Host) } };
            routes.Add(new XdsResource(name, configuration));
            clustersOfRoute[name] = ordered.SelectMany(h => h.TrafficClusters).ToHashSet(StringComparer.Ordinal);
        }
    }
}
