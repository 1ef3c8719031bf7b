using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;

namespace LightMesh.Xds.Translation;

/// <summary>
/// One service's part of a translation, with the inputs it was built from. The next translation reuses it when
/// those inputs are the very same objects (the etcd source keeps unchanged documents as they were) and what its routes
/// take from other services is unchanged, so a change to one service rebuilds and re-serialises only that service.
/// </summary>
public sealed record ServiceTranslation(
    MeshService Service,
    DestinationRule? Rule,
    VirtualService? Routing,
    IReadOnlyList<Instance> Instances,
    RouteDependencies Dependencies,
    IReadOnlyList<XdsResource> Clusters,
    IReadOnlyList<XdsResource> Endpoints,
    GoodHost Built,
    IReadOnlyList<XdsResource> Listeners)
{
    /// <summary>
    /// True when these are the very inputs it was built from: the instances in any order (it was built from them sorted,
    /// so each push need not sort every service's instances to find that nothing changed).
    /// </summary>
    public bool BuiltFrom(MeshService service, DestinationRule? rule, VirtualService? routing, IEnumerable<Instance> instances, IReadOnlyDictionary<string, MeshService> services)
    {
        if (!ReferenceEquals(service, Service) || !ReferenceEquals(rule, Rule) || !ReferenceEquals(routing, Routing))
        {
            return false;
        }

        var count = 0;
        foreach (var instance in instances)
        {
            count++;
            if (count > Instances.Count || !Holds(instance))
            {
                return false;
            }
        }

        return count == Instances.Count && Dependencies.StillHold(services);
    }

    private bool Holds(Instance instance)
    {
        foreach (var held in Instances)
        {
            if (ReferenceEquals(held, instance))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// What a service's routes take from other services: the port of each host they send or mirror traffic to, and, while
/// they hold a preview route, whether a Service holds the preview's name. A change to either changes the routes.
/// </summary>
public sealed class RouteDependencies
{
    private static readonly RouteDependencies None = new([], null, false);

    private readonly (string Host, int? Port)[] _ports;

    // The preview's name while the routes hold a preview route.
    private readonly string? _previewHost;

    private RouteDependencies((string Host, int? Port)[] ports, string? previewHost, bool previewNameTaken)
    {
        _ports = ports;
        _previewHost = previewHost;
        PreviewNameTaken = previewNameTaken;
    }

    /// <summary>The routes hold a preview route, and a Service has the preview's name: it is reached by its header only.</summary>
    public bool PreviewNameTaken { get; }

    public static RouteDependencies Of(MeshService service, VirtualService? routing, IReadOnlyDictionary<string, MeshService> services)
    {
        if (routing is null)
        {
            return None;
        }

        var ports = routing.Spec.Destinations()
            .Select(d => d.Host)
            .Distinct(StringComparer.Ordinal)
            .Select(host => (host, services.GetValueOrDefault(host)?.Spec.Port))
            .ToArray();
        var previewHost = ReleaseStrategies.PreviewRouteOf(routing) is null ? null : ReleaseStrategies.PreviewHost(service.Name);
        return new RouteDependencies(ports, previewHost, previewHost is not null && services.ContainsKey(previewHost));
    }

    /// <summary>True when <paramref name="services"/> give the routes what they took when built.</summary>
    public bool StillHold(IReadOnlyDictionary<string, MeshService> services)
    {
        foreach (var (host, port) in _ports)
        {
            if ((services.TryGetValue(host, out var other) ? other.Spec.Port : (int?)null) != port)
            {
                return false;
            }
        }

        return _previewHost is null || services.ContainsKey(_previewHost) == PreviewNameTaken;
    }
}
