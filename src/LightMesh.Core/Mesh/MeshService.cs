using LightMesh.Core.Deployment;
using LightMesh.Core.Documents;

namespace LightMesh.Core.Mesh;

/// <summary>A service of the mesh (<c>kind: Service</c>); route rules name it as their host.</summary>
public sealed record MeshService : Document
{
    public override DocumentKind Kind => DocumentKind.Service;
    public required MeshServiceSpec Spec { get; init; }
}

/// <summary>Protocol a service speaks.</summary>
public enum ServiceProtocol
{
    Http,
    Grpc,
}

/// <summary>The <c>spec</c> of a <see cref="MeshService"/>.</summary>
public sealed record MeshServiceSpec
{
    public required ServiceProtocol Protocol { get; init; }
    public required int Port { get; init; }
    public string? Owner { get; init; }

    /// <summary>How the service is run on nodes; a service without it is deployed by other means.</summary>
    public ServiceDeployment? Deploy { get; init; }
}
