using LightMesh.Deployer.Engine;

namespace LightMesh.Deployer;

/// <summary>What the deployer tells the containers it starts, and how it waits for them.</summary>
public sealed record DeployerOptions
{
    /// <summary>Given to apps as <c>LIGHTMESH_ETCD</c> so they can register themselves.</summary>
    public required string EtcdEndpoints { get; init; }

    /// <summary>The control plane's ADS address, for the Envoy sidecars' bootstrap.</summary>
    public string XdsHost { get; init; } = "127.0.0.1";

    public int XdsPort { get; init; } = 18000;

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
