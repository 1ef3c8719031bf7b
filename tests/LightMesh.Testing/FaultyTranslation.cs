using LightMesh.Xds.Translation;

namespace LightMesh.Testing;

/// <summary>
/// A control plane's translation that fails while a Service named <c>faulty</c> is stored, for tests of what a snapshot
/// that cannot be built does: no stored value is known to make the real one fail.
/// </summary>
public static class FaultyTranslation
{
    public static XdsSnapshot WhileFaultyIsStored(MeshSnapshot mesh, XdsSnapshot previous) =>
        mesh.Services.Any(s => s.Name == "faulty")
            ? throw new InvalidOperationException("a fault in the translation")
            : MeshTranslator.Translate(mesh, previous);
}
