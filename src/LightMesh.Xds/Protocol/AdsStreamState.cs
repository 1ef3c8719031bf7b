using System.Globalization;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using LightMesh.Xds.Translation;

namespace LightMesh.Xds.Protocol;

/// <summary>
/// The rules of one state-of-the-world ADS stream, with no I/O: given the client's requests and new snapshots,
/// it says which responses to send. Per-type versions and nonces; stale nonces ignored; ACK and NACK told apart by
/// <c>error_detail</c> only; a NACKed content never re-sent; LDS/CDS always complete; a RouteConfiguration held
/// back until the clusters it newly sends traffic to are ACKed with their endpoints (make before break).
/// Not thread-safe: one stream drives it from one loop.
/// </summary>
public sealed class AdsStreamState
{
    // One state per type, in push order: a field each, as a stream's own dictionary of four would cost more than they do.
    private readonly TypeState _cds = new(TypeUrls.Cluster);
    private readonly TypeState _eds = new(TypeUrls.Endpoint);
    private readonly TypeState _lds = new(TypeUrls.Listener);
    private readonly TypeState _rds = new(TypeUrls.Route);
    private readonly TypeState[] _inPushOrder;
    private static readonly IReadOnlyDictionary<string, XdsResource> NoResources = new Dictionary<string, XdsResource>();
    private readonly string _streamId;
    private long _nonces;

    // The services of interest as last worked out; dropped when what they depend on changes: the subscriptions, the
    // node, the snapshot.
    private HashSet<string>? _interest;
    private IReadOnlyList<string>? _interestInOrder;

    public AdsStreamState(string streamId, XdsSnapshot snapshot)
    {
        _streamId = streamId;
        Snapshot = snapshot;
        _inPushOrder = [_cds, _eds, _lds, _rds];
    }

    /// <summary>The node, as given on the stream's first request.</summary>
    public Node? Node { get; private set; }

    public XdsSnapshot Snapshot { get; private set; }

    /// <summary>The latest snapshot revision whose resources this proxy holds and has ACKed, for everything it subscribes to.</summary>
    public long ConvergedRevision { get; private set; }

    /// <summary>Handles one request; returns the responses to send, in order.</summary>
    public IReadOnlyList<DiscoveryResponse> OnRequest(DiscoveryRequest request)
    {
        if (Node is null && request.Node is not null)
        {
            Node = request.Node;
            _interest = null;
        }

        if (StateOf(request.TypeUrl) is not { } state)
        {
            return [];
        }

        if (request.ResponseNonce.Length > 0)
        {
            if (request.ResponseNonce != state.LastNonce)
            {
                // It answers a response that has since been superseded: neither an ACK nor a NACK. gRPC clients
                // also change their subscriptions on such requests, so the names still count.
                UpdateSubscription(state, request);
                return Evaluate();
            }

            state.AwaitingReply = false;
            if (request.ErrorDetail is null)
            {
                state.Acked = state.Sent;
                state.AckedRevision = state.SentRevision;
            }
            else
            {
                state.Nacked = state.Sent;
                state.LastNackError = request.ErrorDetail.Message;
                state.LastNackRevision = state.SentRevision;
            }
        }

        UpdateSubscription(state, request);
        return Evaluate();
    }

    /// <summary>Takes a new snapshot; returns what must be sent to bring this proxy up to it.</summary>
    public IReadOnlyList<DiscoveryResponse> OnSnapshot(XdsSnapshot snapshot)
    {
        if (!ReferenceEquals(snapshot, Snapshot))
        {
            _interest = null;
        }

        Snapshot = snapshot;
        return Evaluate();
    }

    /// <summary>True when this proxy uses anything of <paramref name="service"/> (its listener, or any of its clusters).</summary>
    public bool Subscribes(string service) => ServicesOfInterest().Contains(service);

    /// <summary>
    /// True when the proxy takes every service there is (an Envoy sidecar's wildcard listeners, or wildcard clusters):
    /// any service, including one added later, is one it uses.
    /// </summary>
    public bool UsesEveryService =>
        _cds.Wildcard
        || (_lds is { Subscribed: true, Wildcard: true } && Node is not null && Snapshot.SidecarListeners.ContainsKey(Node.Id));

    public ProxyStatus Status() => new(
        _streamId,
        Node?.Id ?? "",
        Node is null ? "" : $"{Node.UserAgentName} {Node.UserAgentVersion}".Trim(),
        ConvergedRevision,
        ServicesOfInterestInOrder(),
        _inPushOrder.Where(t => t.Subscribed).Select(t => new TypeStatus(
            TypeUrls.ShortName(t.TypeUrl),
            t.Wildcard,
            t.Wildcard ? Desired(t).Count : t.Names.Count,
            t.Acked is null ? "" : Version(t.AckedRevision),
            t.AwaitingReply,
            t.LastNackError,
            t.LastNackError is null ? null : Version(t.LastNackRevision))).ToList())
    {
        AllServices = UsesEveryService,
    };

    /// <summary>What the stream knows of a type, or null for a type it does not serve.</summary>
    internal TypeState? StateOf(string typeUrl) => typeUrl switch
    {
        TypeUrls.Cluster => _cds,
        TypeUrls.Endpoint => _eds,
        TypeUrls.Listener => _lds,
        TypeUrls.Route => _rds,
        _ => null,
    };

    /// <summary>The resources of a type in the snapshot, by name.</summary>
    private IReadOnlyDictionary<string, XdsResource> ResourcesOf(TypeState state) => state.TypeUrl switch
    {
        TypeUrls.Cluster => Snapshot.Clusters,
        TypeUrls.Endpoint => Snapshot.Endpoints,
        TypeUrls.Route => Snapshot.Routes,
        _ => Snapshot.ApiListeners,
    };

    private static string Version(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    private void UpdateSubscription(TypeState state, DiscoveryRequest request)
    {
        var first = !state.Subscribed;
        state.Subscribed = true;
        var names = request.ResourceNames.Where(n => n != "*").ToHashSet(StringComparer.Ordinal);
        var wildcard = TypeUrls.IsStateOfTheWorldComplete(state.TypeUrl)
            && (request.ResourceNames.Contains("*") || (names.Count == 0 && (first || state.Wildcard)));
        if (first || wildcard != state.Wildcard || !names.SetEquals(state.Names))
        {
            state.SubscriptionChanged = true;
            state.Desired = null;
            _interest = null;

            // Each request's names are new strings, and a stream keeps them for as long as it subscribes: it keeps the
            // snapshot's own where there is one (a resource's name) instead, and keeps them until its subscription changes.
            var resources = ResourcesOf(state);
            state.Names.Clear();
            foreach (var name in names)
            {
                state.Names.Add(resources.TryGetValue(name, out var resource) ? resource.Name : name);
            }
        }

        state.Wildcard = wildcard;
    }

    private IReadOnlyList<DiscoveryResponse> Evaluate()
    {
        List<DiscoveryResponse>? responses = null;
        foreach (var state in _inPushOrder)
        {
            var typeUrl = state.TypeUrl;
            if (!state.Subscribed)
            {
                continue;
            }

            var desired = Desired(state);
            var changed = !TypeState.SameContent(desired, state.Sent ?? NoResources);
            var owed = state.SubscriptionChanged && (TypeUrls.IsStateOfTheWorldComplete(typeUrl) || desired.Count > 0 || state.Sent is { Count: > 0 });
            if ((!changed && !owed) || (!owed && TypeState.SameContent(desired, state.Nacked)))
            {
                continue;
            }

            if (typeUrl == TypeUrls.Route && !ClustersReadyFor(desired))
            {
                continue; // sent once the new clusters and their endpoints are ACKed
            }

            state.SubscriptionChanged = false;
            state.Sent = desired;
            state.SentRevision = Snapshot.Revision;
            state.LastNonce = $"{_streamId}-{++_nonces}";
            state.AwaitingReply = true;
            var response = new DiscoveryResponse { TypeUrl = typeUrl, VersionInfo = Version(Snapshot.Revision), Nonce = state.LastNonce };
            response.Resources.AddRange(desired.Values.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => r.Packed));
            (responses ??= []).Add(response);
        }

        UpdateConvergence();
        return responses is null ? Array.Empty<DiscoveryResponse>() : responses;
    }

    /// <summary>
    /// The resources of a type this proxy should hold now, given its subscription: worked out once per snapshot and
    /// subscription, as every ACK asks again.
    /// </summary>
    private IReadOnlyDictionary<string, XdsResource> Desired(TypeState state)
    {
        if (state.Desired is { } known && ReferenceEquals(state.DesiredFrom, Snapshot) && ReferenceEquals(state.DesiredForNode, Node))
        {
            return known;
        }

        // What a new snapshot leaves unchanged for this proxy stays the object it already holds (sent and ACKed, as a
        // rule): a stream keeps one map per type, and the comparisons with what was sent and ACKed find them the same at once.
        var desired = WorkOutDesired(state);
        if (state.Desired is { } before && TypeState.SameContent(desired, before))
        {
            desired = before;
        }

        (state.Desired, state.DesiredFrom, state.DesiredForNode) = (desired, Snapshot, Node);
        return desired;
    }

    private IReadOnlyDictionary<string, XdsResource> WorkOutDesired(TypeState state)
    {
        var pool = ResourcesOf(state);

        if (state.TypeUrl == TypeUrls.Listener && state.Wildcard)
        {
            // Envoy asks for every listener: it gets its own node's outbound listener.
            return Node is not null && Snapshot.SidecarListeners.TryGetValue(Node.Id, out var sidecar)
                ? new Dictionary<string, XdsResource>(StringComparer.Ordinal) { [sidecar.Name] = sidecar }
                : new Dictionary<string, XdsResource>(StringComparer.Ordinal);
        }

        if (state.Wildcard)
        {
            return pool; // the snapshot's own: it is never changed either
        }

        var result = new Dictionary<string, XdsResource>(StringComparer.Ordinal);
        foreach (var name in state.Names)
        {
            if (pool.TryGetValue(name, out var resource))
            {
                result[name] = resource;
            }
        }

        return result;
    }

    /// <summary>
    /// A route configuration may be sent when every cluster it newly sends traffic to, among those this proxy
    /// discovers by CDS, has been ACKed together with its endpoints.
    /// </summary>
    private bool ClustersReadyFor(IReadOnlyDictionary<string, XdsResource> routes)
    {
        if (!_cds.Subscribed)
        {
            return true;
        }

        var alreadySent = _rds.Sent ?? NoResources;
        foreach (var route in routes.Values)
        {
            if (alreadySent.TryGetValue(route.Name, out var previous) && route.SameContentAs(previous))
            {
                continue;
            }

            foreach (var cluster in route.TrafficClusters)
            {
                var discoverable = _cds.Wildcard || _cds.Names.Contains(cluster);
                if (discoverable && !(Holds(_cds.Acked, cluster, Snapshot.Clusters) && Holds(_eds.Acked, cluster, Snapshot.Endpoints)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool Holds(IReadOnlyDictionary<string, XdsResource>? acked, string name, IReadOnlyDictionary<string, XdsResource> current) =>
        acked is not null && acked.TryGetValue(name, out var held) && held.SameContentAs(current.GetValueOrDefault(name));

    private void UpdateConvergence()
    {
        // A stream that has asked for nothing holds nothing: a snapshot that reaches it before its first request must
        // not count as converged once it subscribes.
        var subscribed = false;
        foreach (var state in _inPushOrder)
        {
            if (!state.Subscribed)
            {
                continue;
            }

            subscribed = true;
            if (state.AwaitingReply || !TypeState.SameContent(Desired(state), state.Acked ?? NoResources))
            {
                return;
            }
        }

        if (!subscribed)
        {
            return;
        }

        // The clusters the virtual hosts this proxy uses send traffic to must be held too: a gRPC client subscribes to
        // a new cluster only after it has ACKed the route that names it.
        if (_cds.Subscribed)
        {
            foreach (var cluster in TrafficClustersInUse())
            {
                if (!Holds(_cds.Acked, cluster, Snapshot.Clusters) || !Holds(_eds.Acked, cluster, Snapshot.Endpoints))
                {
                    return;
                }
            }
        }

        ConvergedRevision = Snapshot.Revision;
    }

    /// <summary>
    /// The clusters the virtual hosts of the listeners this proxy holds send traffic to: every service's for a sidecar, the
    /// named service's (with the other services its routes send to) for a proxyless client, and a preview's own for a
    /// client of a preview's name, which never subscribes to the rest of its service's clusters.
    /// </summary>
    private IEnumerable<string> TrafficClustersInUse()
    {
        if (_lds.Subscribed && _lds.Wildcard && Node is not null && Snapshot.SidecarListeners.ContainsKey(Node.Id))
        {
            return Snapshot.GoodHosts.Values.SelectMany(h => h.TrafficClusters);
        }

        return _lds.Names.Select(name => name.Split(':')[0]).SelectMany(host => Snapshot.GoodHosts.TryGetValue(host, out var good)
            ? good.TrafficClusters
            : Snapshot.Previews.TryGetValue(host, out var service) ? Snapshot.GoodHosts[service].PreviewClusters : []);
    }

    /// <summary>The services this proxy uses; not to be changed by the caller.</summary>
    private IReadOnlyList<string> ServicesOfInterestInOrder()
    {
        // Worked out first: a set worked out again drops the order kept of the one before.
        var interest = ServicesOfInterest();
        return _interestInOrder ??= [.. interest.Order(StringComparer.Ordinal)];
    }

    private HashSet<string> ServicesOfInterest()
    {
        if (_interest is null)
        {
            _interest = WorkOutServicesOfInterest();
            _interestInOrder = null;
        }

        return _interest;
    }

    private HashSet<string> WorkOutServicesOfInterest()
    {
        var services = new HashSet<string>(StringComparer.Ordinal);
        if (_lds.Subscribed && _lds.Wildcard && Node is not null && Snapshot.SidecarListeners.ContainsKey(Node.Id))
        {
            services.UnionWith(Snapshot.GoodHosts.Keys);
        }

        foreach (var name in _lds.Names)
        {
            // A preview's name stands for its service: the preview's routes are the service's.
            var host = name.Split(':')[0];
            var service = Snapshot.Previews.GetValueOrDefault(host, host);
            if (Snapshot.GoodHosts.ContainsKey(service))
            {
                services.Add(service);
            }
        }

        foreach (var cluster in _cds.Wildcard ? Snapshot.Clusters.Keys : _cds.Names)
        {
            if (ClusterNames.TryParse(cluster, out _, out _, out var host))
            {
                services.Add(host);
            }
        }

        return services;
    }
}
