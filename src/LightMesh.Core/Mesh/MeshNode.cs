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

    /// <summary>Envoy's outbound proxy port; <see cref="DefaultProxyPort"/> when unset.</summary>
    public int? ProxyPort { get; init; }

    public int EffectiveProxyPort => ProxyPort ?? DefaultProxyPort;
}
