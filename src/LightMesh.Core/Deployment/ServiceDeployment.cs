using LightMesh.Core.Validation;

namespace LightMesh.Core.Deployment;

/// <summary>A service's <c>deploy</c> section: what image runs, which version is stable, where and how many.</summary>
public sealed record ServiceDeployment
{
    /// <summary>The image repository; the tag is the version.</summary>
    public required string Image { get; init; }

    /// <summary>The version serving now; a release adds a canary version beside it.</summary>
    public required string StableVersion { get; init; }

    /// <summary>Containers per node that runs the service; 1 when unset.</summary>
    public int? Replicas { get; init; }

    public int EffectiveReplicas => Replicas ?? 1;

    /// <summary>Nodes by name; with <see cref="NodeSelector"/> unset and this unset, every node.</summary>
    public IReadOnlyList<string>? Nodes { get; init; }

    /// <summary>Nodes by label: every label must match.</summary>
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public HealthCheck? Healthcheck { get; init; }
    public double? Cpus { get; init; }

    /// <summary>A memory limit as compose writes it: bytes, or a number with b, k, m or g.</summary>
    public string? Memory { get; init; }

    public Duration? StopGracePeriod { get; init; }
}

/// <summary>A Docker healthcheck: <c>test</c> is compose's list form (<c>["CMD", ...]</c> or <c>["CMD-SHELL", "..."]</c>).</summary>
public sealed record HealthCheck
{
    public required IReadOnlyList<string> Test { get; init; }
    public Duration? Interval { get; init; }
    public Duration? Timeout { get; init; }
    public int? Retries { get; init; }
    public Duration? StartPeriod { get; init; }
}
