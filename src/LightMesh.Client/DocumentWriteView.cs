using System.Text.Json.Nodes;

namespace LightMesh.Client;

/// <summary>
/// What the document API answers to an apply or a delete: the store's revision and each document's change; for a dry
/// run (<c>?dryRun=true</c>), revision 0 and each document before and after.
/// </summary>
public sealed record DocumentWriteView(long Revision, IReadOnlyList<DocumentChangeView> Changes, bool DryRun = false);

/// <summary>
/// One document an apply or a delete touched (<c>Service/checkout</c>) and how: created, configured, unchanged, deleted;
/// in a dry run's answer, with the document as stored and as it would be.
/// </summary>
public sealed record DocumentChangeView(string Document, string Change, JsonObject? Before = null, JsonObject? After = null);
