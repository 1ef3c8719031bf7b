using LightMesh.Core;

namespace LightMesh.DurableExecution;

/// <summary>A fenced workflow write was refused because the leader term it was fenced by has ended.</summary>
public sealed class NotLeaderException(long termRevision)
    : LightMeshException($"this controller is no longer the leader (term at revision {termRevision}); the workflow write was not made")
{
    /// <summary>The etcd revision at which the ended term began.</summary>
    public long TermRevision { get; } = termRevision;
}
