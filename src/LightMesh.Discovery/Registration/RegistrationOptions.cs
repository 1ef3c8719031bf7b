using LightMesh.Etcd;

namespace LightMesh.Discovery.Registration;

/// <summary>
/// How an app registers itself in the mesh. Every setting defaults from the <c>LIGHTMESH_*</c> environment the
/// deployer gives containers (see <see cref="RegistrationEnvironment"/>); what is set in code wins.
/// </summary>
public sealed class RegistrationOptions
{
    /// <summary>The Service this app is an instance of; it must exist in etcd. Env: <c>LIGHTMESH_SERVICE</c>.</summary>
    public string? Service { get; set; }

    /// <summary>The version this instance runs, also its <c>version</c> label. Env: <c>LIGHTMESH_VERSION</c>.</summary>
    public string? Version { get; set; }

    /// <summary>The instance's id; unset, it is <c>{Address}-{Port}</c>.</summary>
    public string? Id { get; set; }

    /// <summary>The IP others reach this instance at. Env: <c>LIGHTMESH_ADDRESS</c>; unset, the IP the server bound, else 127.0.0.1.</summary>
    public string? Address { get; set; }

    /// <summary>The port others reach this instance at. Env: <c>LIGHTMESH_PORT</c>, else <c>PORT</c>; unset or 0, the port the server bound.</summary>
    public int? Port { get; set; }

    /// <summary>The node the instance runs on. Env: <c>LIGHTMESH_NODE</c>.</summary>
    public string? Node { get; set; }

    /// <summary>Labels subsets select on, besides <c>version</c> (which is always set to <see cref="Version"/>).</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The lease's TTL: how long a dead instance stays registered. At least 2s. Env: <c>LIGHTMESH_TTL</c> (e.g. <c>10s</c>).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the server keeps serving after the lease is revoked at shutdown, so that clients (the etcd resolver,
    /// Envoy through the control plane) stop sending before it stops accepting. Env: <c>LIGHTMESH_DRAIN_DELAY</c>.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>etcd's client URLs, comma-separated. Env: <c>LIGHTMESH_ETCD</c>.</summary>
    public string Etcd { get; set; } = EtcdOptions.DefaultEndpoints;

    /// <summary>The key prefix of the mesh in etcd. Env: <c>LIGHTMESH_PREFIX</c>.</summary>
    public string Prefix { get; set; } = EtcdOptions.DefaultPrefix;

    /// <summary>Environment variables that were set but could not be read, each naming its variable.</summary>
    internal List<string> EnvironmentProblems { get; } = [];

    /// <summary>
    /// The etcd user to register as, where etcd's authentication is on: the registrar the deployer names. Env:
    /// <c>LIGHTMESH_ETCD_USER</c>, with its password in <c>LIGHTMESH_ETCD_PASSWORD</c>.
    /// </summary>
    public string? EtcdUser { get; set; }

    /// <summary>The etcd user's password. Env: <c>LIGHTMESH_ETCD_PASSWORD</c>.</summary>
    public string? EtcdPassword { get; set; }

    /// <summary>CA certificates (PEM) etcd's certificate must chain to, for https:// endpoints. Env: <c>LIGHTMESH_ETCD_CA</c>.</summary>
    public string? EtcdCaFile { get; set; }

    internal EtcdOptions EtcdOptions => new() { Endpoints = Etcd, Prefix = Prefix, Username = EtcdUser, Password = EtcdPassword, CaFile = EtcdCaFile };
}
