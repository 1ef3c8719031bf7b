using LightMesh.Core;

namespace LightMesh.Etcd;

/// <summary>etcd refused a request because the user's role does not allow it (etcd's own authentication).</summary>
public sealed class EtcdPermissionDeniedException(string message, Exception inner) : LightMeshException(message, inner);
