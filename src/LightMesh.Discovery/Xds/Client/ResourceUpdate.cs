namespace LightMesh.Discovery.Xds.Client;

/// <summary>
/// What a watcher hears about one resource: its current value (<see cref="Resource"/>), that the last version sent
/// was rejected (<see cref="Error"/>; <see cref="Resource"/> is then the last good one, or null if there was none), or
/// that it does not exist.
/// </summary>
internal sealed record ResourceUpdate(string TypeUrl, string Name, object? Resource, string? Error, bool DoesNotExist);
