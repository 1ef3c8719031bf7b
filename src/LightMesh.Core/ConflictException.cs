namespace LightMesh.Core;

/// <summary>What was asked clashes with what is there already (a dev environment that is up, a process that runs); nothing was changed.</summary>
public sealed class ConflictException(string message) : LightMeshException(message);
