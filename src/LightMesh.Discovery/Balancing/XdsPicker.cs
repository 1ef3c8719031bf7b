using Grpc.Core;
using Grpc.Net.Client.Balancer;
using LightMesh.Discovery.Xds.Routing;

namespace LightMesh.Discovery.Balancing;

/// <summary>
/// Routes each call: the first route whose path and header matchers match it, then a cluster of that route at random
/// by weight, then an endpoint of that cluster. A call no route matches fails Unavailable, saying so.
/// </summary>
internal sealed class XdsPicker(XdsRouting routing, IReadOnlyDictionary<string, ClusterPicker> clusters) : SubchannelPicker
{
    public override PickResult Pick(PickContext context)
    {
        var request = context.Request;
        var path = request?.RequestUri?.AbsolutePath ?? "/";
        var random = Random.Shared;
        RouteRule? route = null;
        foreach (var candidate in routing.Routes)
        {
            if (candidate.Matches(path, name => Header(request, name), () => (uint)random.Next((int)RouteRule.Million)))
            {
                route = candidate;
                break;
            }
        }

        if (route is null)
        {
            return Drop($"no route of virtual host {routing.VirtualHost} matches the call {path} with its headers");
        }

        if (route.Clusters.Count == 0)
        {
            return Drop($"the call {path} matches route {route}, which does not forward calls");
        }

        var cluster = route.Clusters.Count == 1 ? route.Clusters[0].Name : route.PickCluster((ulong)random.NextInt64((long)route.TotalWeight));
        return clusters.TryGetValue(cluster, out var picker) ? picker.Pick(random) : Drop($"route {route} names cluster {cluster}, which is not known");
    }

    /// <summary>
    /// A header as gRPC's xDS routing sees it: values joined by commas; binary (<c>-bin</c>) and <c>grpc-</c> headers
    /// never present; <c>content-type</c> always <c>application/grpc</c>.
    /// </summary>
    internal static string? Header(HttpRequestMessage? request, string name)
    {
        if (name == "content-type")
        {
            return "application/grpc";
        }

        if (request is null || name.EndsWith("-bin", StringComparison.Ordinal) || name.StartsWith("grpc-", StringComparison.Ordinal))
        {
            return null;
        }

        return request.Headers.TryGetValues(name, out var values) ? string.Join(',', values) : null;
    }

    // A routing decision does not change on a retry or by waiting: the call fails even if it waits for ready.
    private PickResult Drop(string reason) => PickResult.ForDrop(new Status(StatusCode.Unavailable, $"xds:///{routing.Target}: {reason}"));
}
