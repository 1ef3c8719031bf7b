namespace LightMesh.Demo;

/// <summary>A shared library a binary loads, at the path the loader finds it; the interpreter is the loader itself (ld-linux).</summary>
public sealed record LinkedLibrary(string Path, bool IsInterpreter);
