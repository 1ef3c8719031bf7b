namespace LightMesh.Demo;

/// <summary>A shared framework an app asks for in its runtimeconfig.json, e.g. Microsoft.AspNetCore.App 10.0.0.</summary>
public sealed record FrameworkReference(string Name, string Version);
