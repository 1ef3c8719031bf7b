namespace LightMesh.Bench;

/// <summary>One generic webhook delivery as CI would send it, and send again: its id, the release it asks for, the signed body.</summary>
internal sealed record HookDelivery(string Id, string Service, string Version, byte[] Body, string Signature);
