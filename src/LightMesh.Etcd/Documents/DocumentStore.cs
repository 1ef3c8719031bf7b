using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using LightMesh.Core;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Core.Validation;
using LightMesh.Etcd.Leadership;

namespace LightMesh.Etcd.Documents;

/// <summary>
/// Stores documents in etcd. Every write is validated against a snapshot of all stored documents and
/// committed in one transaction guarded by that snapshot's revision: all documents of a call or none, and a
/// write that raced another returns <see cref="WriteOutcome.Conflict"/> instead of overwriting it. A user's write is
/// also checked against what running releases manage (<see cref="ManagedRoutes"/>), guarded by the releases it read;
/// a release's own writes, fenced by its controller's <see cref="LeaderTerm"/>, are not.
/// </summary>
public sealed class DocumentStore(EtcdConnection etcd)
{
    /// <summary>How errors name documents that come from etcd rather than from a file.</summary>
    public const string StoredSource = "etcd";

    // Documents are immutable records, so one parsed at a key's mod revision stays right until the key changes:
    // a controller running many releases reads every document at every step, and parsing them was most of its work.
    private readonly ConcurrentDictionary<string, StoredDocument> _parsed = new(StringComparer.Ordinal);

    private KeyLayout Keys => etcd.Keys;

    /// <summary>
    /// Reads every stored document at one revision: the first kind at the newest, then the others at that revision at
    /// once, so a read costs two etcd round trips, not one per kind.
    /// </summary>
    public async Task<DocumentSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var kinds = DocumentKinds.All.Select(kind => (Kind: kind, Documents: new List<StoredDocument>())).ToList();
        var revision = await ReadKindAsync(kinds[0].Kind, 0, kinds[0].Documents, cancellationToken);
        await Task.WhenAll(kinds.Skip(1).Select(k => ReadKindAsync(k.Kind, revision, k.Documents, cancellationToken)));
        var documents = kinds.SelectMany(k => k.Documents).ToList();

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
        documents.AddRange(response.Kvs.Select(Parsed));
        return response.Header.Revision;
    }

    /// <summary>One stored document (one read of its key), or null when there is none.</summary>
    public async Task<Document?> GetAsync(DocumentKind kind, string name, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(Keys.Document(kind, name), cancellationToken);
        return response.Kvs.Count == 0 ? null : Parsed(response.Kvs[0]).Document;
    }

    private StoredDocument Parsed(Mvccpb.KeyValue kv)
    {
        var key = kv.Key.ToStringUtf8();
        if (!_parsed.TryGetValue(key, out var stored) || stored.ModRevision != kv.ModRevision)
        {
            var (read, errors) = StoredDocument.Read(Keys, key, kv.Value.ToStringUtf8(), kv.ModRevision);
            stored = read ?? throw new LightMeshException($"stored document at {key} is not valid: {string.Join("; ", errors)}");
            _parsed[key] = stored;
        }

        return stored;
    }

    /// <summary>
    /// Validates <paramref name="documents"/> against everything stored and writes them all, or none. A user's write: it
    /// keeps what running releases manage (<see cref="ManagedRoutes"/>), and is refused if it would change it.
    /// </summary>
    public async Task<WriteResult> ApplyAsync(IReadOnlyList<SourcedDocument> documents, CancellationToken cancellationToken) =>
        await CommitAsync(await PlanApplyAsync(await ReadAsync(cancellationToken), documents, cancellationToken), overrideReleases: false, cancellationToken);

    /// <summary>
    /// Parses <paramref name="yaml"/> (documents a program writes itself: the demo's mesh, a benchmark's services) and
    /// writes it all in one guarded transaction; throws naming <paramref name="what"/> and every error if that fails.
    /// </summary>
    public async Task ApplyYamlAsync(string yaml, string what, CancellationToken cancellationToken)
    {
        var parsed = DocumentParser.Parse(yaml, what);
        var written = parsed.IsValid ? await ApplyAsync(parsed.Documents, cancellationToken) : null;
        if (written?.Outcome != WriteOutcome.Applied)
        {
            throw new LightMeshException($"could not write {what}: {string.Join("; ", parsed.Errors.Concat(written?.Errors ?? []))} {written?.Message}");
        }
    }

    /// <summary>As <see cref="ApplyAsync(IReadOnlyList{SourcedDocument}, CancellationToken)"/>, against a snapshot read earlier.</summary>
    public async Task<WriteResult> ApplyAsync(DocumentSnapshot snapshot, IReadOnlyList<SourcedDocument> documents, CancellationToken cancellationToken) =>
        await CommitAsync(await PlanApplyAsync(snapshot, documents, cancellationToken), overrideReleases: false, cancellationToken);

    /// <summary>
    /// A release's own write, fenced by its controller's term: not checked against what releases manage, since it is
    /// the release's. It is guarded by what it relies on, not by every document (<see cref="GuardTouched"/>), so many
    /// releases writing their own services' rules at once do not make each other read again and retry.
    /// </summary>
    public async Task<WriteResult> ApplyAsync(DocumentSnapshot snapshot, IReadOnlyList<SourcedDocument> documents, LeaderTerm leader, CancellationToken cancellationToken)
    {
        var plan = PlanApply(snapshot, documents, GuardTouched(snapshot, documents));
        return plan.Refused ?? Finish(plan, await CommitTxnAsync(leader.Fence(plan.Txn!), plan.Changes, cancellationToken, leader));
    }

    /// <summary>
    /// A user's apply, checked and validated but not written: the documents with the releases' parts kept (subsets
    /// they leave out come back from the store), and the managed fields it would change.
    /// </summary>
    public async Task<DocumentWritePlan> PlanApplyAsync(DocumentSnapshot snapshot, IReadOnlyList<SourcedDocument> documents, CancellationToken cancellationToken)
    {
        var replaced = documents.Select(d => snapshot.Find(d.Document.Kind, d.Document.Name)?.Document).OfType<Document>();
        var active = await ActiveReleaseRead.ReadAsync(etcd, ManagedRoutes.ServicesOf(documents.Select(d => d.Document).Concat(replaced)), cancellationToken);
        var check = ManagedRoutes.CheckApply(documents, snapshot.Documents.Select(d => d.Document).ToList(), active.Releases);
        var plan = PlanApply(snapshot, check.Documents);
        return plan.Refused is null ? plan with { Managed = check.Conflicts, Txn = active.Guard(plan.Txn!) } : plan;
    }

    /// <summary>
    /// Writes a planned user write in one transaction guarded by what the plan read: the documents and the running
    /// releases. A plan that would change what a release manages is refused unless <paramref name="overrideReleases"/>.
    /// </summary>
    public async Task<WriteResult> CommitAsync(DocumentWritePlan plan, bool overrideReleases, CancellationToken cancellationToken)
    {
        if (plan.Refused is { } refused)
        {
            return refused;
        }

        return plan.Managed.Count > 0 && !overrideReleases
            ? WriteResult.Managed(plan.Managed)
            : Finish(plan, await CommitTxnAsync(plan.UnchangedSince is null ? plan.Txn!.Put(Keys.UserWrite, UserWriteRecord(plan.Changes)) : plan.Txn!, plan.Changes, cancellationToken));
    }

    /// <summary>
    /// What <see cref="CommitAsync"/> would answer for <paramref name="plan"/>, without writing: the refusal, the fields of
    /// running releases it would change (unless <paramref name="overrideReleases"/>), or each document's change.
    /// </summary>
    public static WriteResult Preview(DocumentWritePlan plan, bool overrideReleases) =>
        plan.Refused ?? (plan.Managed.Count > 0 && !overrideReleases
            ? WriteResult.Managed(plan.Managed)
            : new WriteResult(WriteOutcome.Applied, plan.Changes, [], 0) { DryRun = true });

    /// <summary>Deletes one document, unless another stored document still needs it or a running release manages it.</summary>
    public async Task<WriteResult> DeleteAsync(DocumentKind kind, string name, CancellationToken cancellationToken) =>
        await CommitAsync(await PlanDeleteAsync(kind, name, cancellationToken), overrideReleases: false, cancellationToken);

    /// <summary>A user's delete, checked and validated but not done.</summary>
    public async Task<DocumentWritePlan> PlanDeleteAsync(DocumentKind kind, string name, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken);
        var stored = snapshot.Find(kind, name);
        if (stored is null)
        {
            return DocumentWritePlan.Refuse(WriteResult.NotFound($"{kind}/{name} not found"));
        }

        var world = snapshot.Documents.Where(d => d != stored).Select(d => new SourcedDocument(d.Document, StoredSource)).ToList();
        var errors = DocumentSetValidator.Validate(world, complete: true);
        if (errors.Count > 0)
        {
            return DocumentWritePlan.Refuse(WriteResult.Invalid(errors.Select(e => e with { Message = $"{e.Message} (after deleting {kind}/{name})" }).ToList()));
        }

        var active = await ActiveReleaseRead.ReadAsync(etcd, ManagedRoutes.ServicesOf([stored.Document]), cancellationToken);
        return new DocumentWritePlan
        {
            Managed = ManagedRoutes.CheckDelete(stored.Document, active.Releases),
            Txn = active.Guard(GuardAll(snapshot).Unchanged(stored.Key, stored.ModRevision).Delete(stored.Key)),
            Changes = [new DocumentChange(stored.Document.Reference, ChangeKind.Deleted)],
        };
    }

    /// <summary>
    /// Sets the subset weights of one route of a VirtualService (see <see cref="WeightChange.Apply"/>), validated like
    /// any write and guarded only by the documents it depends on, so releases of other services never conflict with it.
    /// A user's write: the route a running release moves is refused.
    /// </summary>
    public async Task<WriteResult> SetWeightsAsync(string virtualService, string? routeName, IReadOnlyList<SubsetWeight> weights, CancellationToken cancellationToken) =>
        await CommitAsync(await PlanWeightsAsync(virtualService, routeName, weights, cancellationToken), overrideReleases: false, cancellationToken);

    /// <summary>A user's weight change, checked and validated but not written.</summary>
    public async Task<DocumentWritePlan> PlanWeightsAsync(string virtualService, string? routeName, IReadOnlyList<SubsetWeight> weights, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken);
        var plan = PlanWeights(snapshot, virtualService, routeName, weights);
        if (plan.Refused is not null)
        {
            return plan;
        }

        var routes = (VirtualService)snapshot.Find(DocumentKind.VirtualService, virtualService)!.Document;
        var active = await ActiveReleaseRead.ReadAsync(etcd, ManagedRoutes.ServicesOf([routes]), cancellationToken);
        return plan with { Managed = ManagedRoutes.CheckWeights(routes, routeName, active.Releases), Txn = active.Guard(plan.Txn!) };
    }

    /// <param name="guard">
    /// What else the write is guarded by besides the documents it writes and those they refer to; every document when
    /// null. A release's write (guarded by what it touches) is of its service's VirtualService and DestinationRule, and is
    /// checked only for what those can break: an error elsewhere, which it cannot have brought, does not stop a release
    /// (a rollback least of all), and its controller does not check every document at every step.
    /// </param>
    private DocumentWritePlan PlanApply(DocumentSnapshot snapshot, IReadOnlyList<SourcedDocument> documents, GuardedTxn? guard = null)
    {
        var errors = (guard is null ? null : DocumentSetValidator.ValidateRoutingWrite(snapshot.Index, StoredSource, documents))
            ?? DocumentSetValidator.Validate(Replaced(snapshot, documents), complete: true);
        if (errors.Count > 0)
        {
            return DocumentWritePlan.Refuse(WriteResult.Invalid(errors));
        }

        var txn = guard ?? GuardAll(snapshot);
        var changes = new List<DocumentChange>();
        foreach (var document in documents.Select(d => d.Document))
        {
            var stored = snapshot.Find(document.Kind, document.Name);
            var json = DocumentCodec.Write(document).ToJsonString();
            var unchanged = stored is not null && DocumentCodec.Write(stored.Document).ToJsonString() == json;
            changes.Add(new DocumentChange(document.Reference, stored is null ? ChangeKind.Created : unchanged ? ChangeKind.Unchanged : ChangeKind.Configured)
            {
                Before = stored?.Document, After = document,
            });
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

        // When nothing needs writing, the documents have been as asked since their last change: that revision, not
        // etcd's current one (which unrelated keys move on), is what a convergence wait must wait for.
        return new DocumentWritePlan
        {
            Txn = txn,
            Changes = changes,
            UnchangedSince = changes.All(c => c.Kind == ChangeKind.Unchanged) ? documents.Max(d => snapshot.Find(d.Document.Kind, d.Document.Name)!.ModRevision) : null,
        };
    }

    /// <summary>Every stored document but those <paramref name="documents"/> replace, then <paramref name="documents"/>: the set after the write.</summary>
    private static List<SourcedDocument> Replaced(DocumentSnapshot snapshot, IReadOnlyList<SourcedDocument> documents)
    {
        var incoming = documents.Select(d => (d.Document.Kind, d.Document.Name)).ToHashSet();
        return snapshot.Documents
            .Where(s => !incoming.Contains((s.Document.Kind, s.Document.Name)))
            .Select(s => new SourcedDocument(s.Document, StoredSource))
            .Concat(documents)
            .ToList();
    }

    private static DocumentWritePlan PlanWeights(DocumentSnapshot snapshot, string virtualService, string? routeName, IReadOnlyList<SubsetWeight> weights)
    {
        if (snapshot.Find(DocumentKind.VirtualService, virtualService) is not { Document: VirtualService vs } stored)
        {
            return DocumentWritePlan.Refuse(WriteResult.NotFound($"VirtualService/{virtualService} not found"));
        }

        var change = WeightChange.Apply(vs, routeName, weights);
        if (change.Updated is not { } changed)
        {
            return DocumentWritePlan.Refuse(WriteResult.Invalid([new ValidationError(StoredSource, vs.Reference, "spec.http", change.Error!)]));
        }

        // A running release's mirror routes copy the default route: they take its new weights in the same write.
        var updated = ReleaseTraffic.FollowingTheDefaultRoute(changed);

        var errors = DocumentSetValidator.Validate(Replaced(snapshot, [new SourcedDocument(updated, StoredSource)]), complete: true);
        if (errors.Count > 0)
        {
            return DocumentWritePlan.Refuse(WriteResult.Invalid(errors));
        }

        var txn = new GuardedTxn().Unchanged(stored.Key, stored.ModRevision);
        foreach (var key in ReferencedKeys(snapshot, [updated]))
        {
            txn.Unchanged(key.Key, key.ModRevision);
        }

        txn.Put(stored.Key, DocumentCodec.Write(updated).ToJsonString());
        return new DocumentWritePlan { Txn = txn, Changes = [new DocumentChange(vs.Reference, ChangeKind.Configured)] };
    }

    private static WriteResult Finish(DocumentWritePlan plan, WriteResult result) =>
        result.Outcome == WriteOutcome.Applied && plan.UnchangedSince is { } revision ? result with { Revision = revision } : result;

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

    /// <summary>
    /// The guard of a release's write, beyond each written document (unchanged since read, or still absent) and the
    /// Services and DestinationRules of the hosts they name (<see cref="ReferencedKeys"/>): when it creates a document,
    /// that no user has written a document since the snapshot (<see cref="KeyLayout.UserWrite"/>). That is all the
    /// validation of a release's write relies on. A release only changes its own service's rules: weights, routes to
    /// its own subsets, subsets it adds, the stable subset's labels and the stable version. It never renames, deletes,
    /// removes a subset or changes a host or a port, so a document written meanwhile elsewhere, which was validated
    /// against these documents as they were, stays valid beside the release's; only a document it creates could meet
    /// one a user created or changed meanwhile for the same host. Another release cannot make one for that host: it
    /// writes its own service's rules only, and a service has one active release. So releases creating their services'
    /// rules at the same moment do not make each other read again.
    /// </summary>
    private GuardedTxn GuardTouched(DocumentSnapshot snapshot, IReadOnlyList<SourcedDocument> documents)
    {
        var txn = new GuardedTxn();
        return documents.Any(d => snapshot.Find(d.Document.Kind, d.Document.Name) is null) ? txn.KeyUnchangedSince(Keys.UserWrite, snapshot.Revision) : txn;
    }

    /// <summary>What <see cref="KeyLayout.UserWrite"/> holds: the documents a user's write changed, for whoever reads the key.</summary>
    private static string UserWriteRecord(IReadOnlyList<DocumentChange> changes) =>
        new JsonArray([.. changes.Where(c => c.Kind != ChangeKind.Unchanged).Select(c => JsonValue.Create($"{c.Reference} {c.Kind.ToString().ToLowerInvariant()}"))]).ToJsonString();

    /// <summary>
    /// The stored documents that <paramref name="documents"/> rely on: their hosts' Services and DestinationRules, found
    /// through the snapshot's index (as the validation finds them: of two stored documents of one kind and name, which only
    /// a hand-written etcd value can give, the first).
    /// </summary>
    private static IEnumerable<StoredDocument> ReferencedKeys(DocumentSnapshot snapshot, IEnumerable<Document> documents)
    {
        foreach (var host in documents.SelectMany(HostsOf).ToHashSet(StringComparer.Ordinal))
        {
            if (snapshot.Find(DocumentKind.Service, host) is { } service)
            {
                yield return service;
            }

            foreach (var rule in snapshot.Index.RulesFor(host))
            {
                yield return snapshot.Find(DocumentKind.DestinationRule, rule.Name)!;
            }
        }
    }

    private static IEnumerable<string> HostsOf(Document document) => document switch
    {
        VirtualService vs => vs.Spec.Hosts.Concat(vs.Spec.Destinations().Select(d => d.Host)),
        DestinationRule rule => [rule.Spec.Host],
        _ => [],
    };

    private async Task<WriteResult> CommitTxnAsync(GuardedTxn txn, IReadOnlyList<DocumentChange> changes, CancellationToken cancellationToken, LeaderTerm? leader = null)
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
