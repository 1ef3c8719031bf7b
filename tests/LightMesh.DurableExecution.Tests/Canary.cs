namespace LightMesh.DurableExecution.Tests;

/// <summary>A registered data type for the stores' round-trip tests.</summary>
public sealed record Canary(string Service, int Weight, DateTime StartedAt);
