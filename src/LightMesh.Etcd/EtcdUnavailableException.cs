using LightMesh.Core;

namespace LightMesh.Etcd;

/// <summary>etcd could not be reached, or did not answer in time.</summary>
public sealed class EtcdUnavailableException(string message, Exception innerException) : ServerUnreachableException(message, innerException);
