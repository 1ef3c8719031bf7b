namespace LightMesh.Host.Hooks;

/// <summary>Where a delivery id stands once claimed: ours to handle, or already handled (its release), or still being handled.</summary>
public enum DeliveryClaimState
{
    /// <summary>First seen now: this request handles it.</summary>
    Claimed,

    /// <summary>Claimed before by a request that never finished (a crash, an etcd error): this request handles it, after checking what that one did.</summary>
    Reclaimed,

    /// <summary>Handled before: <see cref="DeliveryClaim.Release"/> is what it started, or <see cref="DeliveryClaim.Announced"/> what it announced.</summary>
    Done,

    /// <summary>Another request is handling it right now.</summary>
    Pending,
}
