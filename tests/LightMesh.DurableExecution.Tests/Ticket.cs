namespace LightMesh.DurableExecution.Tests;

/// <summary>A registered data type that was stored as <c>LightMesh.Old.Ticket</c> before it moved here.</summary>
[FormerNames("LightMesh.Old.Ticket")]
public sealed record Ticket(int Number);
