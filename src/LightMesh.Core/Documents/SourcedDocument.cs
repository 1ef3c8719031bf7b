namespace LightMesh.Core.Documents;

/// <summary>A document with where it came from (a file name, or <c>etcd</c>), so errors can point at it.</summary>
public sealed record SourcedDocument(Document Document, string Source);
