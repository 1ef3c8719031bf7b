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

    public int EffectiveProxyPort => ProxyPort ?? DefaultProxyPort;
}

/// <summary>Files (on the machine running LightMesh) holding the TLS material for a node's Docker endpoint.</summary>
public sealed record DockerTls
{
    public required string CaFile { get; init; }
    public required string CertFile { get; init; }
    public required string KeyFile { get; init; }
}

/// <summary>The node's Envoy sidecar: its image and admin port.</summary>
public sealed record SidecarSpec
{
    public const int DefaultAdminPort = 15000;

    public required string Image { get; init; }
    public int? AdminPort { get; init; }

    public int EffectiveAdminPort => AdminPort ?? DefaultAdminPort;
}
