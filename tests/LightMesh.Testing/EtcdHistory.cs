using Grpc.Core;
using LightMesh.Core;
using LightMesh.Etcd;

namespace LightMesh.Testing;

/// <summary>What is left of etcd's history, which compaction cuts.</summary>
public static class EtcdHistory
{
    /// <summary>Whether etcd can still read <paramref name="prefix"/> as it was at <paramref name="revision"/>: false once compacted past it.</summary>
    public static async Task<bool> ReadableAtAsync(EtcdConnection etcd, string prefix, long revision)
    {
        try
        {
            await etcd.RangePrefixAsync(prefix, revision, default);
            return true;
        }
        catch (LightMeshException e) when (e.InnerException is RpcException { StatusCode: StatusCode.OutOfRange } rpc && rpc.Status.Detail.Contains("compacted", StringComparison.Ordinal))
        {
            return false;
        }
    }
}
