using LightMesh.Xds.Translation;

namespace LightMesh.ControlPlane.Publishing;

/// <summary>
/// Builds a mesh's xDS snapshot from the one published before it: <see cref="MeshTranslator.Translate"/>, unless the host
/// composes another (a test that makes it fail, to see that a failure does not stop the pushes).
/// </summary>
public delegate XdsSnapshot MeshTranslation(MeshSnapshot mesh, XdsSnapshot previous);
