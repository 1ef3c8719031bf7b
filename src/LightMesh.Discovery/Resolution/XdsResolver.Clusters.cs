using LightMesh.Discovery.Balancing;
using LightMesh.Discovery.Xds.Client;
using LightMesh.Discovery.Xds.Resources;
using LightMesh.Xds.Translation;

namespace LightMesh.Discovery.Resolution;

internal sealed partial class XdsResolver
{
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
