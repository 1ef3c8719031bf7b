namespace LightMesh.Core.Releases;

/// <summary>A service's one active release, as <see cref="ManagedRoutes"/> needs it: whose routes it owns, and its id.</summary>
public sealed record ActiveRelease(string Service, string Id);
