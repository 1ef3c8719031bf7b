namespace LightMesh.Core.Deployment;

/// <summary>One container of a node's plan: everything the applier needs to create it, and the hash that says when to recreate it.</summary>
public sealed record PlannedContainer
{
    /// <summary>The service's name in the compose document, e.g. <c>checkout-v2-1</c> or <c>envoy</c>.</summary>
    public required string ComposeService { get; init; }

    /// <summary>The mesh service it runs; empty for the Envoy sidecar.</summary>
    public required string Service { get; init; }

    public required string Version { get; init; }
    public required int Replica { get; init; }

    /// <summary>The port the container serves on (host networking); 0 for the sidecar.</summary>
    public required int Port { get; init; }

    public required string Image { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public required IReadOnlyDictionary<string, string> Env { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public HealthCheck? Healthcheck { get; init; }
    public double? Cpus { get; init; }
    public long? MemoryBytes { get; init; }
    public required TimeSpan StopGracePeriod { get; init; }

    /// <summary>SHA-256 of the container's compose entry: a different hash means the container must be recreated.</summary>
    public required string ConfigHash { get; init; }
}
