using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;

namespace LightMesh.Xds.Translation;

/// <summary>
/// Turns a mesh snapshot into xDS resources. Pure: the same snapshot and previous result give the same resources.
/// A virtual host that would send traffic to a cluster with no endpoints is not sent; the service's last good
/// virtual host stays and the problem is reported, so a route can never black-hole what used to work.
/// </summary>
public static class MeshTranslator
{
    /// <param name="previous">The last result: its good routes are kept where new ones are unsafe, and its unchanged parts are reused.</param>
    public static XdsSnapshot Translate(MeshSnapshot mesh, XdsSnapshot previous)
    {
        var services = mesh.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var rules = mesh.DestinationRules.ToDictionary(r => r.Spec.Host, StringComparer.Ordinal);
        var routing = mesh.VirtualServices.SelectMany(vs => vs.Spec.Hosts.Select(h => (Host: h, Vs: vs))).ToDictionary(x => x.Host, x => x.Vs, StringComparer.Ordinal);
        var instances = mesh.Instances.ToLookup(i => i.Service, StringComparer.Ordinal);

        var translations = new Dictionary<string, ServiceTranslation>(StringComparer.Ordinal);
        foreach (var service in mesh.Services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var rule = rules.GetValueOrDefault(service.Name);
            var vs = routing.GetValueOrDefault(service.Name);
            var members = instances[service.Name].OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
            var dependencies = Dependencies(service, vs, services);
            translations[service.Name] = previous.Translations.TryGetValue(service.Name, out var cached) && cached.BuiltFrom(service, rule, vs, members, dependencies)
                ? cached
                : TranslateService(service, rule, vs, members, dependencies, services);
        }

        var clusters = translations.Values.SelectMany(t => t.Clusters).ToList();
        var endpoints = translations.Values.SelectMany(t => t.Endpoints).ToList();
        var populated = endpoints.Where(e => ((ClusterLoadAssignment)e.Message).Endpoints.Count > 0).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var clusterNames = clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        var goodHosts = new Dictionary<string, GoodHost>(StringComparer.Ordinal);
        foreach (var service in mesh.Services)
        {
            var built = translations[service.Name].Built;

            // Held back: changed routes that would send traffic to a cluster with no endpoints, while the last
            // good routes are there to keep. Unchanged routes are sent as they are, empty clusters or not.
            var empty = built.TrafficClusters.Where(c => !populated.Contains(c)).Order(StringComparer.Ordinal).ToList();
            if (empty.Count > 0 && previous.GoodHosts.TryGetValue(service.Name, out var lastGood)
                && !ReferenceEquals(lastGood, built) && !lastGood.SameHosts(built) && lastGood.TrafficClusters.All(clusterNames.Contains))
            {
                problems.Add($"{service.Name}: routes send traffic to {string.Join(", ", empty)} with no endpoints; keeping the last good routes");
                goodHosts[service.Name] = lastGood;
            }
            else
            {
                goodHosts[service.Name] = built;
            }

            if (ReleaseStrategies.PreviewRouteOf(translations[service.Name].Routing) is not null && services.ContainsKey(ReleaseStrategies.PreviewHost(service.Name)))
            {
                problems.Add($"{service.Name}: its preview is reached by its header only: the name {ReleaseStrategies.PreviewHost(service.Name)} is a Service's");
            }
        }

        var routes = new List<XdsResource>();
        var routeHosts = new Dictionary<string, IReadOnlyList<GoodHost>>(StringComparer.Ordinal);
        var clustersOfRoute = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var group in mesh.Services.GroupBy(s => s.Spec.Port).OrderBy(g => g.Key))
        {
            AddRoute(ClusterNames.RouteForPort(group.Key), group.Select(s => goodHosts[s.Name]));
        }

        AddRoute(ClusterNames.SidecarRoute, mesh.Services.Select(s => goodHosts[s.Name]));

        // A preview's listeners follow the routes served: they name a virtual host the route configuration holds.
        var previews = goodHosts.Where(g => g.Value.Preview is not null).ToDictionary(g => ReleaseStrategies.PreviewHost(g.Key), g => g.Key, StringComparer.Ordinal);
        var apiListeners = translations.Values.SelectMany(t => t.Listeners)
            .Concat(previews.SelectMany(p => ListenerBuilder.ApiListeners(p.Key, services[p.Value].Spec.Port)).Select(l => new XdsResource(l.Name, l)));
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
            Translations = translations,
            RouteHosts = routeHosts,
            NodeTokens = NodeTokens(mesh.Nodes),
            Previews = previews,
        };

        void AddRoute(string name, IEnumerable<GoodHost> hosts)
        {
            var ordered = hosts.OrderBy(h => h.Host.Name, StringComparer.Ordinal).ToList();
            routeHosts[name] = ordered;
            if (previous.RouteHosts.TryGetValue(name, out var before) && before.Count == ordered.Count
                && before.Select((h, i) => ReferenceEquals(h, ordered[i])).All(same => same))
            {
                routes.Add(previous.Routes[name]);
            }
            else
            {
                routes.Add(new XdsResource(name, new RouteConfiguration { Name = name, VirtualHosts = { ordered.SelectMany(h => h.Hosts) } }));
            }

            clustersOfRoute[name] = ordered.SelectMany(h => h.TrafficClusters).ToHashSet(StringComparer.Ordinal);
        }
    }

    private static ServiceTranslation TranslateService(MeshService service, DestinationRule? rule, VirtualService? vs, List<Instance> members, string dependencies, IReadOnlyDictionary<string, MeshService> services)
    {
        var clusters = new List<XdsResource>();
        var endpoints = new List<XdsResource>();
        foreach (var (cluster, assignment) in ClusterBuilder.Build(service, rule, members))
        {
            clusters.Add(new XdsResource(cluster.Name, cluster));
            endpoints.Add(new XdsResource(assignment.ClusterName, assignment));
        }

        var built = RouteBuilder.Build(service, vs, services);
        var listeners = ListenerBuilder.ApiListeners(service).Select(l => new XdsResource(l.Name, l)).ToList();
        return new ServiceTranslation(service, rule, vs, members, dependencies, clusters, endpoints, new GoodHost(built.Host, built.TrafficClusters, built.Preview), listeners);
    }

    /// <summary>
    /// The ports of the other services a VirtualService routes to, and whether a Service holds its preview's name: a change
    /// to either changes its routes.
    /// </summary>
    private static string Dependencies(MeshService service, VirtualService? vs, Dictionary<string, MeshService> services) =>
        vs is null ? "" : (services.ContainsKey(ReleaseStrategies.PreviewHost(service.Name)) ? "preview-name-taken;" : "") + string.Join(",", vs.Spec.Http
            .SelectMany(r => r.Route.Select(d => d.Destination.Host).Concat(r.Mirror is null ? [] : [r.Mirror.Host]))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(h => $"{h}:{services.GetValueOrDefault(h)?.Spec.Port}"));

    /// <summary>Which Node each proxy token (by SHA-256) stands for; a token two Nodes name stands for neither.</summary>
    private static Dictionary<string, string> NodeTokens(IReadOnlyList<MeshNode> nodes) =>
        nodes.Where(n => n.Spec.ProxyToken is not null)
            .GroupBy(n => n.Spec.ProxyToken!.Sha256, StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Name, StringComparer.Ordinal);
}
