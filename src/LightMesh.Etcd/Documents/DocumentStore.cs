using System.Collections.Concurrent;
using LightMesh.Core;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Routing;
using LightMesh.Core.Validation;
using LightMesh.Etcd.Leadership;

namespace LightMesh.Etcd.Documents;

/// <summary>
/// Stores documents in etcd. Every write is validated against a snapshot of all stored documents and
/// committed in one transaction guarded by that snapshot's revision: all documents of a call or none, and a
/// write that raced another returns <see cref="WriteOutcome.Conflict"/> instead of overwriting it.
/// </summary>
public sealed class DocumentStore(EtcdConnection etcd)
{
    /// <summary>How errors name documents that come from etcd rather than from a file.</summary>
    public const string StoredSource = "etcd";

    // Documents are immutable records, so one parsed at a key's mod revision stays right until the key changes:
    // a controller running many releases reads every document at every step, and parsing them was most of its work.
    private readonly ConcurrentDictionary<string, StoredDocument> _parsed = new(StringComparer.Ordinal);

    private KeyLayout Keys => etcd.Keys;

    /// <summary>Reads every stored document at one revision.</summary>
    public async Task<DocumentSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var documents = new List<StoredDocument>();
        long revision = 0;
        foreach (var kind in DocumentKinds.All)
        {
            revision = await ReadKindAsync(kind, revision, documents, cancellationToken);
        }

        if (_parsed.Count > documents.Count)
        {
            var present = documents.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _parsed.Keys.Where(k => !present.Contains(k)).ToList())
            {
                _parsed.TryRemove(gone, out _);
            }
        }

        return new DocumentSnapshot(documents, revision);
    }

    /// <summary>The stored documents of one kind (one range read of its folder).</summary>
    public async Task<IReadOnlyList<Document>> ListAsync(DocumentKind kind, CancellationToken cancellationToken)
    {
        var documents = new List<StoredDocument>();
        await ReadKindAsync(kind, 0, documents, cancellationToken);
        return documents.Select(d => d.Document).ToList();
    }

    /// <summary>Adds the documents of <paramref name="kind"/> at <paramref name="revision"/> (0: the newest) to <paramref name="documents"/>; returns the revision read.</summary>
    private async Task<long> ReadKindAsync(DocumentKind kind, long revision, List<StoredDocument> documents, CancellationToken cancellationToken)
    {
        var response = await etcd.RangePrefixAsync(Keys.Documents(kind), revision, cancellationToken);
        foreach (var kv in response.Kvs)
        {
            var key = kv.Key.ToStringUtf8();
            if (!_parsed.TryGetValue(key, out var stored) || stored.ModRevision != kv.ModRevision)
            {
                var parsed = DocumentParser.ParseJson(kv.Value.ToStringUtf8(), key);
                if (!parsed.IsValid)
                {
                    throw new LightMeshException($"stored document at {key} is not valid: {string.Join("; ", parsed.Errors)}");
                }

                stored = new StoredDocument(parsed.Documents[0].Document, key, kv.ModRevision);
                _parsed[key] = stored;
            }

            documents.Add(stored);
        }

        return response.Header.Revision;
    }

    public async Task<Document?> GetAsync(DocumentKind kind, string name, CancellationToken cancellationToken) =>
        (await ReadAsync(cancellationToken)).Find(kind, name)?.Document;

    /// <summary>Validates <paramref name="documents"/> against everything stored and writes them all, or none.</summary>
    public async Task<WriteResult> ApplyAsync(IReadOnlyList<SourcedDocument> documents, CancellationToken cancellationToken) =>
        await ApplyAsync(await ReadAsync(cancellationToken), documents, cancellationToken);

    /// <summary>As <see cref="ApplyAsync(IReadOnlyList{SourcedDocument}, CancellationToken)"/>, against a snapshot read earlier.</summary>
    public Task<WriteResult> ApplyAsync(DocumentSnapshot snapshot, IReadOnlyList<SourcedDocument> documents, CancellationToken cancellationToken) =>
        ApplyAsync(snapshot, documents, null, cancellationToken);

    /// <summary>As <see cref="ApplyAsync(DocumentSnapshot, IReadOnlyList{SourcedDocument}, CancellationToken)"/>, fenced by a release controller's term.</summary>
    public async Task<WriteResult> ApplyAsync(DocumentSnapshot snapshot, IReadOnlyList<SourcedDocument> documents, LeaderTerm? leader, CancellationToken cancellationToken)
    {
        var incoming = documents.Select(d => (d.Document.Kind, d.Document.Name)).ToHashSet();
        var world = snapshot.Documents
            .Where(s => !incoming.Contains((s.Document.Kind, s.Document.Name)))
            .Select(s => new SourcedDocument(s.Document, StoredSource))
            .Concat(documents)
            .ToList();
        var errors = DocumentSetValidator.Validate(world, complete: true);
        if (errors.Count > 0)
        {
            return WriteResult.Invalid(errors);
        }

        var txn = GuardAll(snapshot);
        var changes = new List<DocumentChange>();
        foreach (var document in documents.Select(d => d.Document))
        {
            var stored = snapshot.Find(document.Kind, document.Name);
            var json = DocumentCodec.Write(document).ToJsonString();
            var unchanged = stored is not null && DocumentCodec.Write(stored.Document).ToJsonString() == json;
            changes.Add(new DocumentChange(document.Reference, stored is null ? ChangeKind.Created : unchanged ? ChangeKind.Unchanged : ChangeKind.Configured));
            txn.AsRead(Keys.Document(document.Kind, document.Name), stored?.ModRevision ?? 0);
            if (!unchanged)
            {
                txn.Put(Keys.Document(document.Kind, document.Name), json);
            }
        }

        foreach (var key in ReferencedKeys(snapshot, documents.Select(d => d.Document)))
        {
            txn.Unchanged(key.Key, key.ModRevision);
        }

        var result = await CommitAsync(leader is null ? txn : leader.Fence(txn), changes, cancellationToken, leader);

        // When nothing needed writing, the documents have been as asked since their last change: that revision, not
        // etcd's current one (which unrelated keys move on), is what a convergence wait must wait for.
        return result.Outcome == WriteOutcome.Applied && changes.All(c => c.Kind == ChangeKind.Unchanged)
            ? result with { Revision = documents.Max(d => snapshot.Find(d.Document.Kind, d.Document.Name)!.ModRevision) }
            : result;
    }

    /// <summary>Deletes one document, unless another stored document still needs it.</summary>
    public async Task<WriteResult> DeleteAsync(DocumentKind kind, string name, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken);
        var stored = snapshot.Find(kind, name);
        if (stored is null)
        {
            return WriteResult.NotFound($"{kind}/{name} not found");
        }

        var world = snapshot.Documents.Where(d => d != stored).Select(d => new SourcedDocument(d.Document, StoredSource)).ToList();
        var errors = DocumentSetValidator.Validate(world, complete: true);
        if (errors.Count > 0)
        {
            return WriteResult.Invalid(errors.Select(e => e with { Message = $"{e.Message} (after deleting {kind}/{name})" }).ToList());
        }

        var txn = GuardAll(snapshot).Unchanged(stored.Key, stored.ModRevision).Delete(stored.Key);
        return await CommitAsync(txn, [new DocumentChange(stored.Document.Reference, ChangeKind.Deleted)], cancellationToken);
    }

    /// <summary>
    /// Sets the subset weights of one route of a VirtualService (see <see cref="WeightChange.Apply"/>), validated like
    /// any write and guarded only by the documents it depends on, so releases of other services never conflict with it.
    /// </summary>
    public Task<WriteResult> SetWeightsAsync(string virtualService, string? routeName, IReadOnlyList<SubsetWeight> weights, CancellationToken cancellationToken) =>
        SetWeightsAsync(virtualService, routeName, weights, null, cancellationToken);

    /// <summary>
    /// As <see cref="SetWeightsAsync(string, string?, IReadOnlyList{SubsetWeight}, CancellationToken)"/>, fenced by
    /// <paramref name="leader"/>: a release's weight change is written only while its controller still leads.
    /// </summary>
    public async Task<WriteResult> SetWeightsAsync(string virtualService, string? routeName, IReadOnlyList<SubsetWeight> weights, LeaderTerm? leader, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken);
        if (snapshot.Find(DocumentKind.VirtualService, virtualService) is not { Document: VirtualService vs } stored)
        {
            return WriteResult.NotFound($"VirtualService/{virtualService} not found");
        }

        var change = WeightChange.Apply(vs, routeName, weights);
        if (change.Updated is not { } updated)
        {
            return WriteResult.Invalid([new ValidationError(StoredSource, vs.Reference, "spec.http", change.Error!)]);
        }

        var world = snapshot.Documents.Where(d => d != stored).Select(d => new SourcedDocument(d.Document, StoredSource)).Append(new SourcedDocument(updated, StoredSource)).ToList();
        var errors = DocumentSetValidator.Validate(world, complete: true);
        if (errors.Count > 0)
        {
            return WriteResult.Invalid(errors);
        }

        var txn = new GuardedTxn().Unchanged(stored.Key, stored.ModRevision);
        foreach (var key in ReferencedKeys(snapshot, [updated]))
        {
            txn.Unchanged(key.Key, key.ModRevision);
        }

        txn.Put(stored.Key, DocumentCodec.Write(updated).ToJsonString());
        return await CommitAsync(leader is null ? txn : leader.Fence(txn), [new DocumentChange(vs.Reference, ChangeKind.Configured)], cancellationToken, leader);
    }

    /// <summary>Guards against any document being created or changed since the snapshot (deletions are caught per key).</summary>
    private GuardedTxn GuardAll(DocumentSnapshot snapshot)
    {
        var txn = new GuardedTxn();
        foreach (var kind in DocumentKinds.All)
        {
            txn.UnchangedSince(Keys.Documents(kind), snapshot.Revision);
        }

        return txn;
    }

    /// <summary>The stored documents that <paramref name="documents"/> rely on: their hosts' Services and DestinationRules.</summary>
    private static IEnumerable<StoredDocument> ReferencedKeys(DocumentSnapshot snapshot, IEnumerable<Document> documents)
    {
        var hosts = documents.SelectMany(HostsOf).ToHashSet(StringComparer.Ordinal);
        return snapshot.Documents.Where(s => s.Document switch
        {
            MeshService service => hosts.Contains(service.Name),
            DestinationRule rule => hosts.Contains(rule.Spec.Host),
            _ => false,
        });
    }

    private static IEnumerable<string> HostsOf(Document document) => document switch
    {
        VirtualService vs => vs.Spec.Hosts
            .Concat(vs.Spec.Http.SelectMany(r => r.Route.Select(d => d.Destination.Host)))
            .Concat(vs.Spec.Http.Where(r => r.Mirror is not null).Select(r => r.Mirror!.Host)),
        DestinationRule rule => [rule.Spec.Host],
        _ => [],
    };

    private async Task<WriteResult> CommitAsync(GuardedTxn txn, IReadOnlyList<DocumentChange> changes, CancellationToken cancellationToken, LeaderTerm? leader = null)
    {
        var (succeeded, revision) = await txn.CommitAsync(etcd, cancellationToken);
        if (succeeded)
        {
            return new WriteResult(WriteOutcome.Applied, changes, [], revision);
        }

        if (leader is not null && (await etcd.GetAsync(leader.Key, cancellationToken)) is var current
            && (current.Count == 0 || current.Kvs[0].ModRevision != leader.Revision))
        {
            return WriteResult.NotLeader($"{leader.Candidate} no longer leads; nothing was written");
        }

        return WriteResult.Conflict("the stored documents changed since they were read; nothing was written (read again and retry)");
    }
}
