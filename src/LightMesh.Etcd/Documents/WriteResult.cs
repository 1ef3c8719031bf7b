using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Etcd.Documents;

/// <summary>How a write to the document store ended.</summary>
public enum WriteOutcome
{
    /// <summary>Written (or nothing needed writing).</summary>
    Applied,

    /// <summary>Validation failed; nothing was written. See <see cref="WriteResult.Errors"/>.</summary>
    Invalid,

    /// <summary>Something changed since the read; nothing was written. Read again and retry.</summary>
    Conflict,

    /// <summary>The document to change does not exist.</summary>
    NotFound,

    /// <summary>The write was fenced by a leadership term that has ended; nothing was written.</summary>
    NotLeader,

    /// <summary>
    /// The write would change fields a running release manages; nothing was written. See
    /// <see cref="WriteResult.ManagedFields"/>: each names the release, the document and the field.
    /// </summary>
    Managed,
}

/// <summary>What happened to one document in a write.</summary>
public enum ChangeKind
{
    Created,
    Configured,
    Unchanged,
    Deleted,
}

/// <summary>One document's part in a write, e.g. <c>VirtualService/checkout configured</c>.</summary>
public sealed record DocumentChange(string Reference, ChangeKind Kind)
{
    /// <summary>The document as stored before the write; null when it creates it.</summary>
    public Document? Before { get; init; }

    /// <summary>The document as the write leaves it; null when it deletes it.</summary>
    public Document? After { get; init; }
}

/// <summary>The outcome of a guarded write: applied (with the new revision), or why nothing was written.</summary>
public sealed record WriteResult(
    WriteOutcome Outcome,
    IReadOnlyList<DocumentChange> Changes,
    IReadOnlyList<ValidationError> Errors,
    long Revision,
    string? Message = null)
{
    /// <summary>With <see cref="WriteOutcome.Managed"/>: every field of a running release the write would have changed.</summary>
    public IReadOnlyList<ManagedField> ManagedFields { get; init; } = [];

    public static WriteResult Invalid(IReadOnlyList<ValidationError> errors) => new(WriteOutcome.Invalid, [], errors, 0);

    public static WriteResult Conflict(string message) => new(WriteOutcome.Conflict, [], [], 0, message);

    public static WriteResult NotFound(string message) => new(WriteOutcome.NotFound, [], [], 0, message);

    public static WriteResult NotLeader(string message) => new(WriteOutcome.NotLeader, [], [], 0, message);

    /// <summary>True for what a write would do (<c>apply --dry-run</c>): nothing was written, and <see cref="Revision"/> is 0.</summary>
    public bool DryRun { get; init; }

    public static WriteResult Managed(IReadOnlyList<ManagedField> fields) => new(WriteOutcome.Managed, [], [], 0) { ManagedFields = fields };
}
