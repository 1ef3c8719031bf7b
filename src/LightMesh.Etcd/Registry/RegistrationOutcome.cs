namespace LightMesh.Etcd.Registry;

/// <summary>The result of <see cref="InstanceRegistry.RegisterAsync"/>: a live registration, or why there is none.</summary>
public sealed record RegistrationOutcome(InstanceRegistration? Registration, string? Conflict)
{
    public bool Succeeded => Registration is not null;
}
