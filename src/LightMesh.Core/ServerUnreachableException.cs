namespace LightMesh.Core;

/// <summary>A server LightMesh depends on (etcd, the control plane, Prometheus) could not be reached or did not answer in time.</summary>
public class ServerUnreachableException : LightMeshException
{
    public ServerUnreachableException()
    {
    }

    public ServerUnreachableException(string message)
        : base(message)
    {
    }

    public ServerUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
