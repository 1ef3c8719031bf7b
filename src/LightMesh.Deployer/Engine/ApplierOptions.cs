namespace LightMesh.Deployer.Engine;

/// <summary>How long the applier waits, and for what.</summary>
public sealed record ApplierOptions
{
    /// <summary>A container without a healthcheck counts as up once it has run this long without exiting.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a new container has to become healthy (or settle) before the apply fails.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan PullTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Grace period for containers that left the plan (their own is no longer known).</summary>
    public TimeSpan DefaultStopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
}
