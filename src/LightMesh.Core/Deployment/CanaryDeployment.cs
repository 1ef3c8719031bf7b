namespace LightMesh.Core.Deployment;

/// <summary>A canary version a release runs beside a service's stable version, with its own replica count.</summary>
/// <param name="Promoted">
/// The release has made this version the stable one; its canary containers keep serving until the new stable ones
/// are up, so the version may equal the stable version.
/// </param>
public sealed record CanaryDeployment(string Service, string Version, int Replicas, string? Release, bool Promoted = false);
