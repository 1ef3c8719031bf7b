namespace LightMesh.Cli.Api;

/// <summary>What the document API answers to an apply or a delete: the store's revision and each document's change.</summary>
public sealed record DocumentWriteView(long Revision, IReadOnlyList<DocumentChangeView> Changes);

/// <summary>One document an apply or a delete touched (<c>Service/checkout</c>) and how: created, configured, unchanged, deleted.</summary>
public sealed record DocumentChangeView(string Document, string Change);
