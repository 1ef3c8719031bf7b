using Envoy.Config.Route.V3;
using Google.Protobuf;

namespace LightMesh.Xds.Translation;

/// <summary>
/// Every resource the control plane serves, built from one <see cref="MeshSnapshot"/>. Immutable: proxies are
/// compared against it and sent what differs from what they hold.
/// </summary>
public sealed record XdsSnapshot
{
    public static readonly XdsSnapshot Empty = new()
    {
        Revision = 0, Clusters = Map([]), Endpoints = Map([]), Routes = Map([]), ApiListeners = Map([]),
        SidecarListeners = Map([]), GoodHosts = new Dictionary<string, GoodHost>(), Problems = [],
        Translations = new Dictionary<string, ServiceTranslation>(),
        NodeTokens = new Dictionary<string, string>(), Previews = new Dictionary<string, string>(),
    };

    /// <summary>The etcd revision the resources were built from; the version proxies acknowledge.</summary>
    public required long Revision { get; init; }

    public required IReadOnlyDictionary<string, XdsResource> Clusters { get; init; }
    public required IReadOnlyDictionary<string, XdsResource> Endpoints { get; init; }
    public required IReadOnlyDictionary<string, XdsResource> Routes { get; init; }

    /// <summary>API listeners for proxyless gRPC, by name (<c>service:port</c> and <c>service</c>).</summary>
    public required IReadOnlyDictionary<string, XdsResource> ApiListeners { get; init; }

    /// <summary>Envoy outbound listeners, by node name.</summary>
    public required IReadOnlyDictionary<string, XdsResource> SidecarListeners { get; init; }

    /// <summary>The last virtual host of each service that sent no traffic to an empty cluster; kept for the next build.</summary>
    public required IReadOnlyDictionary<string, GoodHost> GoodHosts { get; init; }

    /// <summary>Combinations that were not sent (the last good resource stayed), said for logs and status.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Each service's translation with its inputs, for reuse by the next translation.</summary>
    public required IReadOnlyDictionary<string, ServiceTranslation> Translations { get; init; }

    /// <summary>The service each preview name served now stands for (<c>checkout-preview</c>: <c>checkout</c>).</summary>
    public required IReadOnlyDictionary<string, string> Previews { get; init; }

    /// <summary>The Node each proxy token stands for, by the token's SHA-256 (lowercase hex): who may open a stream.</summary>
    public required IReadOnlyDictionary<string, string> NodeTokens { get; init; }

    public static IReadOnlyDictionary<string, XdsResource> Map(IEnumerable<XdsResource> resources) =>
        resources.ToDictionary(r => r.Name, StringComparer.Ordinal);
}

/// <summary>
/// A service's last virtual host that was safe to send, with the clusters it sends traffic to, and its preview's
/// virtual host while a release has one (served beside it, with listeners of its own). The hosts are not changed once
/// built: their bytes are kept.
/// </summary>
public sealed record GoodHost(VirtualHost Host, IReadOnlySet<string> TrafficClusters, VirtualHost? Preview = null)
{
    /// <summary>
    /// <see cref="Hosts"/> serialised as entries of a route configuration's <c>virtual_hosts</c>: a route configuration of
    /// a thousand services is put together from these at each push, not serialised again whole.
    /// </summary>
    public ByteString RouteEntries { get; } = Entries(Preview is null ? [Host] : [Host, Preview]);

    private static ByteString Entries(VirtualHost[] hosts)
    {
        var size = hosts.Sum(h => CodedOutputStream.ComputeTagSize(RouteConfiguration.VirtualHostsFieldNumber) + CodedOutputStream.ComputeMessageSize(h));
        var bytes = new byte[size];
        var output = new CodedOutputStream(bytes);
        foreach (var host in hosts)
        {
            output.WriteTag(RouteConfiguration.VirtualHostsFieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteMessage(host);
        }

        output.CheckNoSpaceLeft();
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    /// <summary>The same virtual hosts (the preview's too) as <paramref name="other"/>.</summary>
    public bool SameHosts(GoodHost other) => Host.Equals(other.Host) && Equals(Preview, other.Preview);

    /// <summary>The virtual hosts a route configuration holds for the service.</summary>
    public IEnumerable<VirtualHost> Hosts => Preview is null ? [Host] : [Host, Preview];

    /// <summary>The clusters the preview's virtual host sends traffic to (none without a preview).</summary>
    public IEnumerable<string> PreviewClusters => Preview?.Routes.SelectMany(r => r.Route_.ClusterSpecifierCase == RouteAction.ClusterSpecifierOneofCase.Cluster
        ? [r.Route_.Cluster]
        : r.Route_.WeightedClusters.Clusters.Where(c => (c.Weight ?? 0) > 0).Select(c => c.Name)) ?? [];
}
