using LightMesh.Core.Documents;

namespace LightMesh.Core.Mesh;

/// <summary>A machine that runs services and their sidecars (<c>kind: Node</c>).</summary>
public sealed record MeshNode : Document
{
    public override DocumentKind Kind => DocumentKind.Node;
    public required MeshNodeSpec Spec { get; init; }
}

/// <summary>The <c>spec</c> of a <see cref="MeshNode"/>.</summary>
public sealed record MeshNodeSpec
{
    public const int DefaultProxyPort = 15001;

    public required string Address { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>The node's Docker Engine endpoint: <c>unix:///var/run/docker.sock</c> or <c>tcp://host:port</c>.</summary>
    public string? DockerEndpoint { get; init; }

    /// <summary>Client certificates for a <c>tcp://</c> Docker endpoint that requires TLS.</summary>
    public DockerTls? DockerTls { get; init; }

    /// <summary>Envoy's outbound proxy port; <see cref="DefaultProxyPort"/> when unset.</summary>
    public int? ProxyPort { get; init; }

    /// <summary>The Envoy sidecar this node runs; none means its services use the proxyless or direct modes.</summary>
    public SidecarSpec? Sidecar { get; init; }

    /// <summary>The token this node's proxies show the control plane; none means they are refused unless anonymous proxies are allowed.</summary>
    public ProxyToken? ProxyToken { get; init; }

    public int EffectiveProxyPort => ProxyPort ?? DefaultProxyPort;
}

/// <summary>Files (on the machine running LightMesh) holding the TLS material for a node's Docker endpoint.</summary>
public sealed record DockerTls
{
    public required string CaFile { get; init; }
    public required string CertFile { get; init; }
    public required string KeyFile { get; init; }
}

/// <summary>
/// A node's proxy token, named by its SHA-256 as API tokens are: the control plane accepts an ADS stream that shows the
/// token, as gRPC metadata (<see cref="MetadataKey"/>; Envoy's <c>initial_metadata</c>) or in the node's metadata (proxyless
/// gRPC clients, whose bootstrap cannot add call metadata).
/// </summary>
public sealed record ProxyToken
{
    /// <summary>The gRPC metadata key, and the node metadata field, that carry the token.</summary>
    public const string MetadataKey = "lightmesh-node-token";

    /// <summary>The SHA-256 of the token, 64 lowercase hex digits.</summary>
    public required string Sha256 { get; init; }

    /// <summary>A file on the machine running LightMesh holding the token, for the bootstrap of the sidecar it deploys.</summary>
    public string? File { get; init; }

    /// <summary>
    /// What a planned sidecar's bootstrap holds in place of the token: plans, their YAML and the node revisions kept in
    /// etcd name the token by its hash only, and the engine puts the token (read from <see cref="File"/>) in when it
    /// creates the container. A new token is a new hash, so the sidecar is recreated with it.
    /// </summary>
    public string Placeholder => $"${{lightmesh-proxy-token:sha256:{Sha256}}}";
}

/// <summary>The node's Envoy sidecar: its image and admin port.</summary>
public sealed record SidecarSpec
{
    public const int DefaultAdminPort = 15000;

    public required string Image { get; init; }
    public int? AdminPort { get; init; }

    public int EffectiveAdminPort => AdminPort ?? DefaultAdminPort;
}
