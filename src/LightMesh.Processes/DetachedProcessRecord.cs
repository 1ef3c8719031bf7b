namespace LightMesh.Processes;

/// <summary>A detached process as the one who started it records it (the dev environment in <c>dev.json</c>): what it is, its pid, the program it runs and its log.</summary>
public sealed record DetachedProcessRecord(string Name, int Pid, string Program, string Log);
