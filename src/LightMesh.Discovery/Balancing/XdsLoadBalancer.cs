using Grpc.Core;
using Grpc.Net.Client.Balancer;
using LightMesh.Discovery.Xds.Resources;
using Microsoft.Extensions.Logging;

namespace LightMesh.Discovery.Balancing;

/// <summary>
/// The load balancer of an <c>xds:///</c> channel: one subchannel per endpoint of any cluster the routing names, each
/// kept connected, and a new <see cref="XdsPicker"/> whenever the routing or an endpoint's state changes.
/// Grpc.Net.Client calls it under its channel's lock, one call at a time.
/// </summary>
internal sealed class XdsLoadBalancer(IChannelControlHelper controller, ILogger logger) : LoadBalancer
{
    private readonly Dictionary<EndpointAddress, EndpointSubchannel> _endpoints = [];
    private XdsRouting? _routing;

    public override void UpdateChannelState(ChannelState state)
    {
        if (state.Status.StatusCode != StatusCode.OK || state.LoadBalancingConfig is not XdsLoadBalancingConfig config)
        {
            // The resolver fails only when the target has no usable configuration: calls fail with its reason.
            var status = state.Status.StatusCode != StatusCode.OK
                ? state.Status
                : new Status(StatusCode.Unavailable, $"the {XdsLoadBalancingConfig.Policy} policy works only with the configuration of an xds:/// channel");
            _routing = null;
            foreach (var endpoint in _endpoints.Values)
            {
                endpoint.Dispose();
            }

            _endpoints.Clear();
            controller.UpdateState(new BalancerState(ConnectivityState.TransientFailure, new FailingPicker(status)));
            return;
        }

        _routing = config.Routing;
        var addresses = (state.Addresses ?? []).ToDictionary(a => new EndpointAddress(a.EndPoint.Host, a.EndPoint.Port));
        foreach (var gone in _endpoints.Keys.Where(e => !addresses.ContainsKey(e)).ToList())
        {
            _endpoints[gone].Dispose();
            _endpoints.Remove(gone);
        }

        foreach (var (endpoint, address) in addresses.Where(a => !_endpoints.ContainsKey(a.Key)))
        {
            var subchannel = new EndpointSubchannel(controller.CreateSubchannel(new SubchannelOptions([address])));
            subchannel.Registration = subchannel.Subchannel.OnStateChanged(s => OnSubchannelState(endpoint, subchannel, s));
            _endpoints[endpoint] = subchannel;
            subchannel.Subchannel.RequestConnection();
        }

        UpdatePicker();
    }

    public override void RequestConnection()
    {
        foreach (var endpoint in _endpoints.Values)
        {
            endpoint.Subchannel.RequestConnection();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var endpoint in _endpoints.Values)
            {
                endpoint.Dispose();
            }

            _endpoints.Clear();
        }

        base.Dispose(disposing);
    }

    private void OnSubchannelState(EndpointAddress endpoint, EndpointSubchannel subchannel, SubchannelState state)
    {
        if (!_endpoints.TryGetValue(endpoint, out var current) || !ReferenceEquals(current, subchannel))
        {
            return;
        }

        subchannel.State = state.State;
        if (state.Status.StatusCode != StatusCode.OK)
        {
            subchannel.LastStatus = state.Status;
        }

        if (state.State == ConnectivityState.Idle)
        {
            subchannel.Subchannel.RequestConnection(); // every endpoint stays connected, as with round robin
        }

        UpdatePicker();
    }

    private void UpdatePicker()
    {
        if (_routing is not { } routing)
        {
            return;
        }

        var clusters = new Dictionary<string, ClusterPicker>(StringComparer.Ordinal);
        foreach (var cluster in routing.Clusters.Values)
        {
            var members = cluster.Endpoints.Select(e => _endpoints.GetValueOrDefault(e)).OfType<EndpointSubchannel>().ToList();
            clusters[cluster.Name] = new ClusterPicker(
                routing.Target,
                cluster,
                [.. members.Where(m => m.State == ConnectivityState.Ready)],
                members.Any(m => m.State is ConnectivityState.Idle or ConnectivityState.Connecting),
                members.Select(m => m.LastStatus).LastOrDefault(s => s.StatusCode != StatusCode.OK, Status.DefaultSuccess));
        }

        var states = _endpoints.Values.Select(e => e.State).ToList();
        var overall = states.Contains(ConnectivityState.Ready) ? ConnectivityState.Ready
            : states.Any(s => s is ConnectivityState.Idle or ConnectivityState.Connecting) ? ConnectivityState.Connecting
            : ConnectivityState.TransientFailure;
        if (logger.IsEnabled(LogLevel.Trace))
        {
            logger.LogTrace("xds:///{Target}: {State}, {Ready} of {Endpoints} endpoints ready", routing.Target, overall, states.Count(s => s == ConnectivityState.Ready), states.Count);
        }

        controller.UpdateState(new BalancerState(overall, new XdsPicker(routing, clusters)));
    }
}
