namespace LightMesh.Core;

/// <summary>The input (a file, an argument) is wrong; what is wrong has been said, and nothing was changed.</summary>
public sealed class InvalidInputException(string message) : LightMeshException(message);
