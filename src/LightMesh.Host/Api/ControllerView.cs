namespace LightMesh.Host.Api;

/// <summary>What <c>GET /api/v1/controller</c> answers: this controller's name, whether it leads, and who does.</summary>
public sealed record ControllerView(string Name, bool Leader, string? LeaderName);
