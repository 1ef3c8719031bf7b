namespace LightMesh.Demo.Dev;

/// <summary>What <c>lightmesh dev run</c> starts: the demo service as SERVICE at VERSION, failing a fraction of its calls, on a port (null: a free one).</summary>
public sealed record DevInstanceRequest(string Service, string Version, double ErrorRate, int? Port);
