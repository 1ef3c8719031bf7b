namespace LightMesh.Core.Deployment;

/// <summary>A canary version a release runs beside a service's stable version, with its own replica count.</summary>
public sealed record CanaryDeployment(string Service, string Version, int Replicas, string? Release);
