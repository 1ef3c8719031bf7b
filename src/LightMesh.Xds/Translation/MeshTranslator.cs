using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
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
        // The validation lets no name or host be taken twice, but a value written to etcd by hand is not validated: as
        // the validation does with stored documents, the first of a name or host is the one that counts.
        var services = FirstOf(mesh.Services.Select(s => (s.Name, s)));
        var rules = FirstOf(mesh.DestinationRules.Select(r => (r.Spec.Host, r)));
        var routing = FirstOf(mesh.VirtualServices.SelectMany(vs => vs.Spec.Hosts.Select(h => (h, vs))));
        var nodes = FirstOf(mesh.Nodes.Select(n => (n.Name, n))).Values.ToList();
        var instances = mesh.Instances.ToLookup(i => i.Service, StringComparer.Ordinal);

        // Each service's resources, reused when nothing they were built from changed; collected as they come, in the
        // order of the services' names.
        var translations = new Dictionary<string, ServiceTranslation>(services.Count, StringComparer.Ordinal);
        var clusters = new Dictionary<string, XdsResource>(previous.Clusters.Count, StringComparer.Ordinal);
        var endpoints = new Dictionary<string, XdsResource>(previous.Endpoints.Count, StringComparer.Ordinal);
        var apiListeners = new Dictionary<string, XdsResource>(previous.ApiListeners.Count, StringComparer.Ordinal);
        foreach (var service in services.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var rule = rules.GetValueOrDefault(service.Name);
            var vs = routing.GetValueOrDefault(service.Name);
            var members = instances[service.Name];
            var translation = previous.Translations.TryGetValue(service.Name, out var cached) && cached.BuiltFrom(service, rule, vs, members, services)
                ? cached
                : TranslateService(service, rule, vs, [.. members.OrderBy(i => i.Id, StringComparer.Ordinal)], services);
            translations.Add(service.Name, translation);
            AddAll(clusters, translation.Clusters);
            AddAll(endpoints, translation.Endpoints);
            AddAll(apiListeners, translation.Listeners);
        }

        var problems = new List<string>();
        var goodHosts = new Dictionary<string, GoodHost>(services.Count, StringComparer.Ordinal);
        foreach (var service in services.Values)
        {
            var translation = translations[service.Name];
            var built = translation.Built;

            // Held back: changed routes that would send traffic to a cluster with no endpoints, while the last
            // good routes are there to keep. Unchanged routes are sent as they are, empty clusters or not.
            if (previous.GoodHosts.TryGetValue(service.Name, out var lastGood) && !ReferenceEquals(lastGood, built)
                && built.TrafficClusters.Any(c => !Populated(endpoints, c)) && !lastGood.SameHosts(built) && lastGood.TrafficClusters.All(clusters.ContainsKey))
            {
                var empty = built.TrafficClusters.Where(c => !Populated(endpoints, c)).Order(StringComparer.Ordinal);
                problems.Add($"{service.Name}: routes send traffic to {string.Join(", ", empty)} with no endpoints; keeping the last good routes");
                goodHosts[service.Name] = lastGood;
            }
            else
            {
                goodHosts[service.Name] = built;
            }

            if (translation.Dependencies.PreviewNameTaken)
            {
                problems.Add($"{service.Name}: its preview is reached by its header only: the name {ReleaseStrategies.PreviewHost(service.Name)} is a Service's");
            }
        }

        var routes = new Dictionary<string, XdsResource>(StringComparer.Ordinal);
        foreach (var group in services.Values.GroupBy(s => s.Spec.Port).OrderBy(g => g.Key))
        {
            AddRoute(ClusterNames.RouteForPort(group.Key), group.Select(s => goodHosts[s.Name]));
        }

        AddRoute(ClusterNames.SidecarRoute, services.Values.Select(s => goodHosts[s.Name]));

        // A preview's listeners follow the routes served: they name a virtual host the route configuration holds.
        var previews = goodHosts.Where(g => g.Value.Preview is not null).ToDictionary(g => ReleaseStrategies.PreviewHost(g.Key), g => g.Key, StringComparer.Ordinal);
        AddAll(apiListeners, previews.SelectMany(p => ListenerBuilder.ApiListeners(p.Key, services[p.Value].Spec.Port)).Select(l => new XdsResource(l.Name, l)));
        var sidecars = nodes.Select(n => new XdsResource(n.Name, ListenerBuilder.Sidecar(n)));
        return new XdsSnapshot
        {
            Revision = mesh.Revision,
            Clusters = clusters,
            Endpoints = endpoints,
            Routes = routes,
            ApiListeners = apiListeners,
            SidecarListeners = XdsSnapshot.Map(sidecars),
            GoodHosts = goodHosts,
            Problems = problems,
            Translations = translations,
            NodeTokens = NodeTokens(nodes),
            Previews = previews,
        };

        void AddRoute(string name, IEnumerable<GoodHost> hosts)
        {
            var ordered = hosts.OrderBy(h => h.Host.Name, StringComparer.Ordinal).ToList();
            var unchanged = previous.Routes.TryGetValue(name, out var before) && before.Hosts is { } held && held.Count == ordered.Count
                && held.Select((h, i) => ReferenceEquals(h, ordered[i])).All(same => same);
            routes.Add(name, unchanged ? before! : RouteResource(name, ordered));
        }
    }

    /// <summary>Each key's first item, in the order given.</summary>
    private static Dictionary<string, T> FirstOf<T>(IEnumerable<(string Key, T Item)> items)
    {
        var first = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (key, item) in items)
        {
            first.TryAdd(key, item);
        }

        return first;
    }

    /// <summary>Adds each resource under its name; a name given twice is a bug, and throws.</summary>
    private static void AddAll(Dictionary<string, XdsResource> resources, IEnumerable<XdsResource> adding)
    {
        foreach (var resource in adding)
        {
            resources.Add(resource.Name, resource);
        }
    }

    private static bool Populated(Dictionary<string, XdsResource> endpoints, string cluster) =>
        endpoints.TryGetValue(cluster, out var assignment) && ((ClusterLoadAssignment)assignment.Message).Endpoints.Count > 0;

    /// <summary>
    /// A route configuration of <paramref name="hosts"/>, its bytes put together from each host's own
    /// (<see cref="GoodHost.RouteEntries"/>): the same bytes as serialising it whole, as its name and its virtual hosts are
    /// all it holds, but without serialising every service's routes again when one of them changed.
    /// </summary>
    private static XdsResource RouteResource(string name, List<GoodHost> hosts)
    {
        var message = new RouteConfiguration { Name = name, VirtualHosts = { hosts.SelectMany(h => h.Hosts) } };
        var nameSize = CodedOutputStream.ComputeTagSize(RouteConfiguration.NameFieldNumber) + CodedOutputStream.ComputeStringSize(name);
        var bytes = new byte[nameSize + hosts.Sum(h => h.RouteEntries.Length)];
        var output = new CodedOutputStream(bytes);
        output.WriteTag(RouteConfiguration.NameFieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteString(name);
        var at = nameSize;
        foreach (var host in hosts)
        {
            host.RouteEntries.Span.CopyTo(bytes.AsSpan(at));
            at += host.RouteEntries.Length;
        }

        return new XdsResource(name, message, UnsafeByteOperations.UnsafeWrap(bytes), hosts);
    }

    private static ServiceTranslation TranslateService(MeshService service, DestinationRule? rule, VirtualService? vs, List<Instance> members, IReadOnlyDictionary<string, MeshService> services)
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
        return new ServiceTranslation(service, rule, vs, members, RouteDependencies.Of(service, vs, services), clusters, endpoints, new GoodHost(built.Host, built.TrafficClusters, built.Preview), listeners);
    }

    /// <summary>Which Node each proxy token (by SHA-256) stands for; a token two Nodes name stands for neither.</summary>
    private static Dictionary<string, string> NodeTokens(IReadOnlyList<MeshNode> nodes) =>
        nodes.Where(n => n.Spec.ProxyToken is not null)
            .GroupBy(n => n.Spec.ProxyToken!.Sha256, StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Name, StringComparer.Ordinal);
}
