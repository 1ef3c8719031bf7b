namespace LightMesh.DurableExecution.Tests;

/// <summary>The data of <see cref="GateWorkflow"/>: WorkflowCore wants a mutable class with a parameterless constructor.</summary>
public sealed class GateData
{
    public string Key { get; set; } = "";

    public string? Received { get; set; }
}
