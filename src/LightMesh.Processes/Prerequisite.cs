namespace LightMesh.Processes;

/// <summary>A program the local demo runs, and the Debian package that provides it.</summary>
public sealed record Prerequisite(string Executable, string DebianPackage);
