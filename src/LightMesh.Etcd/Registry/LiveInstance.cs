using LightMesh.Core.Mesh;

namespace LightMesh.Etcd.Registry;

/// <summary>A registered instance with its lease and how long the lease has left.</summary>
public sealed record LiveInstance(Instance Instance, long Lease, TimeSpan TimeToLive);
