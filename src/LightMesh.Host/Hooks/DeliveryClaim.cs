namespace LightMesh.Host.Hooks;

/// <summary>A delivery id's record in etcd as a request found or made it; <see cref="ModRevision"/> guards giving it up.</summary>
public sealed record DeliveryClaim(DeliveryClaimState State, string Key, long ModRevision, string? Release = null, DateTimeOffset? ClaimedAt = null, AnnouncedVersion? Announced = null)
{
    /// <summary>The group release the delivery started, when it asked for one.</summary>
    public string? Group { get; init; }
}

/// <summary>What a delivery of a trigger with <c>mode: announce</c> announced.</summary>
public sealed record AnnouncedVersion(string Service, string Version);
