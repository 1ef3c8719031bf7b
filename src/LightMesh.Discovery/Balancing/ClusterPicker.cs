using Grpc.Core;
using Grpc.Net.Client.Balancer;
using LightMesh.Discovery.Xds.Resources;

namespace LightMesh.Discovery.Balancing;

/// <summary>
/// Picks among a cluster's READY endpoints by its policy (round robin, random, or the fewer calls in flight of two
/// random ones). With none ready, a call waits while some are connecting, and fails Unavailable otherwise.
/// </summary>
internal sealed class ClusterPicker(string target, ClusterEndpoints cluster, EndpointSubchannel[] ready, bool connecting, Status lastFailure)
{
    private int _next = Random.Shared.Next();

    public PickResult Pick(Random random)
    {
        if (cluster.Problem is { } problem)
        {
            return Fail($"cluster {cluster.Name}: {problem}");
        }

        if (ready.Length == 0)
        {
            return connecting ? PickResult.ForQueue()
                : cluster.Endpoints.Count == 0 ? Fail($"cluster {cluster.Name} has no endpoints")
                : Fail($"cluster {cluster.Name}: none of its {cluster.Endpoints.Count} endpoints is reachable ({lastFailure.StatusCode}: {lastFailure.Detail})");
        }

        switch (cluster.Policy)
        {
            case ClusterLbPolicy.Random:
                return PickResult.ForSubchannel(ready[random.Next(ready.Length)].Subchannel);
            case ClusterLbPolicy.LeastRequest when ready.Length > 1:
                var first = random.Next(ready.Length);
                var second = (first + 1 + random.Next(ready.Length - 1)) % ready.Length;
                var chosen = ready[second].InFlight < ready[first].InFlight ? ready[second] : ready[first];
                return PickResult.ForSubchannel(chosen.Subchannel, chosen);
            case ClusterLbPolicy.LeastRequest:
                return PickResult.ForSubchannel(ready[0].Subchannel, ready[0]);
            default:
                var next = (uint)Interlocked.Increment(ref _next);
                return PickResult.ForSubchannel(ready[next % (uint)ready.Length].Subchannel);
        }
    }

    private PickResult Fail(string reason) => PickResult.ForFailure(new Status(StatusCode.Unavailable, $"xds:///{target}: {reason}"));
}
