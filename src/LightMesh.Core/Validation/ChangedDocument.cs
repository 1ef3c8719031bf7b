using LightMesh.Core.Documents;

namespace LightMesh.Core.Validation;

/// <summary>
/// One document of a set that changed since an index of it was built: it replaced <see cref="Replaced"/> (same kind and
/// name) at its place, or, when that is null, was added after the others.
/// </summary>
internal readonly record struct ChangedDocument(Document? Replaced, Document Document);
