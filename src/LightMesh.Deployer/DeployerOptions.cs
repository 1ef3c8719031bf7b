using LightMesh.Deployer.Engine;

namespace LightMesh.Deployer;

/// <summary>What the deployer tells the containers it starts, and how it waits for them.</summary>
public sealed record DeployerOptions
{
    /// <summary>Given to apps as <c>LIGHTMESH_ETCD</c> so they can register themselves.</summary>
    public required string EtcdEndpoints { get; init; }

    /// <summary>
    /// The controllers' ADS endpoints, for the Envoy sidecars' bootstrap: a sidecar holds its stream to one and goes on
    /// with another when that one goes away. Every controller must give the same list, or a new leader's plan would
    /// recreate every sidecar.
    /// </summary>
    public IReadOnlyList<(string Host, int Port)> Xds { get; init; } = [("127.0.0.1", 18000)];

    /// <summary>
    /// Where etcd's authentication is on: a file whose first line is the password of <see cref="RegistrarUser"/>, which
    /// the services the deployer starts register as. Null gives them no credentials.
    /// </summary>
    public string? RegistrarPasswordFile { get; init; }

    /// <summary>The etcd user services register as; its role may write instances only (<c>lightmesh etcd init-auth</c>).</summary>
    public string RegistrarUser { get; init; } = Etcd.Security.EtcdRoles.Registrar;

    public ApplierOptions Applier { get; init; } = new();

    public TimeSpan DockerTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
