namespace LightMesh.Demo.Service.Echo;

/// <summary>Who answered a request, or that it was made to fail.</summary>
public sealed record EchoAnswer(bool Failed, string Service, string Version, string Instance);
