using LightMesh.Core.Releases;

namespace LightMesh.Etcd.Documents;

/// <summary>
/// A user's write, validated and checked against one read of the documents and of the running releases: what
/// <see cref="DocumentStore.CommitAsync(DocumentWritePlan, bool, CancellationToken)"/> writes, guarded by both reads,
/// or why nothing can be written. Made in two steps so that a forced write can pause the releases it overrides in between.
/// </summary>
public sealed record DocumentWritePlan
{
    /// <summary>Why nothing can be written (invalid, not found); null when the write can go ahead.</summary>
    public WriteResult? Refused { get; init; }

    /// <summary>The fields of running releases the write would change: refused unless forced.</summary>
    public IReadOnlyList<ManagedField> Managed { get; init; } = [];

    internal GuardedTxn? Txn { get; init; }

    internal IReadOnlyList<DocumentChange> Changes { get; init; } = [];

    /// <summary>When nothing needs writing: the revision the documents have been as asked since.</summary>
    internal long? UnchangedSince { get; init; }

    internal static DocumentWritePlan Refuse(WriteResult result) => new() { Refused = result };
}
