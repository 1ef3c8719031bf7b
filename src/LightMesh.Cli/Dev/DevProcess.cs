namespace LightMesh.Cli.Dev;

/// <summary>One process of the dev environment, as <c>dev.json</c> records it: what it is, its pid, the program it runs and its log.</summary>
public sealed record DevProcess(string Name, int Pid, string Program, string Log);
