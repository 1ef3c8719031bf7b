namespace LightMesh.Testing;

/// <summary>What a webhook endpoint must answer: its status, and text the answer holds.</summary>
public sealed record HookAnswer(int Status, string Text);
