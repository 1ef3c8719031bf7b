using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Routing;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Leadership;
using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class DocumentStoreTests(EtcdFixture etcd) : IDisposable
{
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    private DocumentStore Store => new(_connection);

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task ApplyAsync_ValidDocuments_StoresThemAtTheDocumentedKeys()
    {
        var result = await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"]), TestMeshes.DefaultRoute("checkout", "v1")), default);

        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        Assert.All(result.Changes, c => Assert.Equal(ChangeKind.Created, c.Kind));
        var raw = await _connection.GetAsync($"{_connection.Options.Prefix}virtualservices/checkout", default);
        Assert.Contains("\"subset\":\"v1\"", raw.Kvs[0].Value.ToStringUtf8(), StringComparison.Ordinal);
        Assert.Equal("checkout", (await Store.GetAsync(DocumentKind.DestinationRule, "checkout", default))?.Name);
    }

    [Fact]
    public async Task ApplyAsync_SameDocumentsAgain_ReportsUnchangedAndWritesNothing()
    {
        var documents = TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"]));
        var first = await Store.ApplyAsync(documents, default);
        var (_, unrelated) = await new GuardedTxn().Put($"{_connection.Options.Prefix}releases/unrelated", "{}").CommitAsync(_connection, default);

        var second = await Store.ApplyAsync(documents, default);

        Assert.All(second.Changes, c => Assert.Equal(ChangeKind.Unchanged, c.Kind));
        Assert.Equal(unrelated, (await Store.ReadAsync(default)).Revision);
        Assert.Equal(first.Revision, second.Revision); // the documents' revision, for convergence waits: not etcd's newer one
    }

    [Fact]
    public async Task ApplyAsync_StaleSnapshot_ReturnsConflictAndKeepsTheOtherWrite()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"])), default);
        var stale = await Store.ReadAsync(default);
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Rule("checkout", ["v1"])), default)).Outcome);

        var result = await Store.ApplyAsync(stale, TestMeshes.Parse(TestMeshes.DefaultRoute("checkout", "v2")), default);

        Assert.Equal(WriteOutcome.Conflict, result.Outcome);
        Assert.Null(await Store.GetAsync(DocumentKind.VirtualService, "checkout", default));
        var rule = Assert.IsType<DestinationRule>(await Store.GetAsync(DocumentKind.DestinationRule, "checkout", default));
        Assert.Equal(["v1"], rule.Spec.Subsets.Select(s => s.Name));
    }

    [Fact]
    public async Task ApplyAsync_ConcurrentDeleteOfAReferencedRule_OnlyOneWins()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"])), default);
        var snapshot = await Store.ReadAsync(default);
        Assert.Equal(WriteOutcome.Applied, (await Store.DeleteAsync(DocumentKind.DestinationRule, "checkout", default)).Outcome);

        var result = await Store.ApplyAsync(snapshot, TestMeshes.Parse(TestMeshes.DefaultRoute("checkout", "v2")), default);

        Assert.Equal(WriteOutcome.Conflict, result.Outcome);
        Assert.Empty(await Store.ListAsync(DocumentKind.VirtualService, default));
    }

    [Fact]
    public async Task ApplyAsync_OneDocumentInvalidAgainstTheStore_WritesNone()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1"])), default);

        var result = await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Rule("checkout", ["v1", "v2"], name: "checkout-2"), TestMeshes.DefaultRoute("checkout", "v2")), default);

        Assert.Equal(WriteOutcome.Invalid, result.Outcome);
        Assert.Contains(result.Errors, e => e.Path == "spec.host" && e.Document == "DestinationRule/checkout-2");
        Assert.Contains(result.Errors, e => e.Path == "spec.http[0].route[0].destination.subset");
        Assert.Single(await Store.ListAsync(DocumentKind.DestinationRule, default));
        Assert.Empty(await Store.ListAsync(DocumentKind.VirtualService, default));
    }

    [Fact]
    public async Task DeleteAsync_RuleStillRoutedTo_IsRefusedWithTheReferencingRoute()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"]), TestMeshes.DefaultRoute("checkout", "v1")), default);

        var result = await Store.DeleteAsync(DocumentKind.DestinationRule, "checkout", default);

        Assert.Equal(WriteOutcome.Invalid, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal("VirtualService/checkout", error.Document);
        Assert.NotNull(await Store.GetAsync(DocumentKind.DestinationRule, "checkout", default));
    }

    [Fact]
    public async Task ReleaseGroupWorkflow_IsStoredAndReadBack_AndAWorkflowItNamesCannotBeDeleted()
    {
        const string group = "apiVersion: lightmesh.io/v1\nkind: ReleaseGroupWorkflow\nmetadata: {name: shop}\nspec:\n  members:\n  - {service: checkout, workflow: quick}\n";
        const string workflow = "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: quick}\nspec:\n  steps:\n  - deploy: {}\n  - promote: {}\n";
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), workflow, group), default)).Outcome);

        var stored = Assert.IsType<Core.Releases.ReleaseGroupWorkflow>(await Store.GetAsync(DocumentKind.ReleaseGroupWorkflow, "shop", default));
        Assert.Equal(("checkout", "quick"), (stored.Spec.Members.Single().Service, stored.Spec.Members.Single().Workflow));

        var refused = await Store.DeleteAsync(DocumentKind.ReleaseWorkflow, "quick", default);
        Assert.Equal(WriteOutcome.Invalid, refused.Outcome);
        var error = Assert.Single(refused.Errors);
        Assert.Equal(("ReleaseGroupWorkflow/shop", "spec.members[0].workflow"), (error.Document, error.Path));
        Assert.Equal(WriteOutcome.Applied, (await Store.DeleteAsync(DocumentKind.ReleaseGroupWorkflow, "shop", default)).Outcome);
        Assert.Equal(WriteOutcome.Applied, (await Store.DeleteAsync(DocumentKind.ReleaseWorkflow, "quick", default)).Outcome);
    }

    [Fact]
    public async Task DeleteAsync_Missing_IsNotFound() =>
        Assert.Equal(WriteOutcome.NotFound, (await Store.DeleteAsync(DocumentKind.Service, "nope", default)).Outcome);

    [Fact]
    public async Task SetWeightsAsync_Canary_WritesTheWeightsOfTheDefaultRoute()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"]), TestMeshes.DefaultRoute("checkout", "v1")), default);

        var result = await Store.SetWeightsAsync("checkout", null, [new("v1", 75), new("v2", 25)], default);

        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        var vs = Assert.IsType<VirtualService>(await Store.GetAsync(DocumentKind.VirtualService, "checkout", default));
        Assert.Equal([new SubsetWeight("v1", 75), new SubsetWeight("v2", 25)], WeightChange.Current(vs, null));
    }

    [Fact]
    public async Task SetWeightsAsync_SubsetNotDefined_IsInvalidAndWritesNothing()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1"]), TestMeshes.DefaultRoute("checkout", "v1")), default);

        var result = await Store.SetWeightsAsync("checkout", null, [new("v1", 90), new("v2", 10)], default);

        Assert.Equal(WriteOutcome.Invalid, result.Outcome);
        Assert.Contains("\"v2\" is not defined", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        var vs = Assert.IsType<VirtualService>(await Store.GetAsync(DocumentKind.VirtualService, "checkout", default));
        Assert.Equal([new SubsetWeight("v1", 100)], WeightChange.Current(vs, null));
    }

    /// <summary>A release's weight change (a write fenced by its controller's term) is written only while that term lasts.</summary>
    [Fact]
    public async Task ApplyAsync_WeightsFencedByADeposedLeader_WritesNothing()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"]), TestMeshes.DefaultRoute("checkout", "v1")), default);
        var election = new Leadership.LeaderElection(_connection, "controller", TimeProvider.System);
        var deposed = (await election.TryLeadAsync("a", TimeSpan.FromSeconds(2), default))!;
        await deposed.AbandonAsync();
        await using var current = await election.CampaignAsync("b", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        var refused = await Store.ApplyAsync(await Store.ReadAsync(default), await WeightsAsync([new("v1", 50), new("v2", 50)]), deposed, default);
        var accepted = await Store.ApplyAsync(await Store.ReadAsync(default), await WeightsAsync([new("v1", 90), new("v2", 10)]), current, default);

        Assert.Equal(WriteOutcome.NotLeader, refused.Outcome);
        Assert.Equal(WriteOutcome.Applied, accepted.Outcome);
        var vs = Assert.IsType<VirtualService>(await Store.GetAsync(DocumentKind.VirtualService, "checkout", default));
        Assert.Equal([new SubsetWeight("v1", 90), new SubsetWeight("v2", 10)], WeightChange.Current(vs, null));
    }

    [Fact]
    public async Task SetWeightsAsync_UnrelatedDocumentChanged_DoesNotConflict()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"]), TestMeshes.DefaultRoute("checkout", "v1")), default);
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service("payments")), default);

        Assert.Equal(WriteOutcome.Applied, (await Store.SetWeightsAsync("checkout", "primary", [new("v2", 100)], default)).Outcome);
    }

    /// <summary>checkout's stored VirtualService with its default route's weights changed, as a release's step writes it.</summary>
    private async Task<List<SourcedDocument>> WeightsAsync(IReadOnlyList<SubsetWeight> weights)
    {
        var routes = Assert.IsType<VirtualService>(await Store.GetAsync(DocumentKind.VirtualService, "checkout", default));
        return [new(WeightChange.Apply(routes, null, weights).Updated!, "release")];
    }

    private Task<LeaderTerm?> LeadAsync() => new LeaderElection(_connection, "releases", TimeProvider.System).TryLeadAsync("controller-1", TimeSpan.FromSeconds(5), default);

    [Fact]
    public async Task ApplyAsync_ReleasesWriteWhileAnotherServiceChanged_DoesNotConflict()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"]), TestMeshes.DefaultRoute("checkout", "v1")), default);
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service("payments"), TestMeshes.Rule("payments", ["v1", "v2"]), TestMeshes.DefaultRoute("payments", "v1")), default);
        await using var leader = (await LeadAsync())!;
        var snapshot = await Store.ReadAsync(default);

        // Another release moves payments meanwhile.
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(snapshot, TestMeshes.Parse(TestMeshes.DefaultRoute("payments", "v2")), leader, default)).Outcome);
        var checkout = await Store.ApplyAsync(snapshot, TestMeshes.Parse(TestMeshes.DefaultRoute("checkout", "v2")), leader, default);

        Assert.Equal(WriteOutcome.Applied, checkout.Outcome);
    }

    [Fact]
    public async Task ApplyAsync_ReleasesCreateRoutesOfTheirServicesAtOnce_DoNotConflict()
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"])), default);
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service("payments"), TestMeshes.Rule("payments", ["v1", "v2"])), default);
        await using var leader = (await LeadAsync())!;
        var snapshot = await Store.ReadAsync(default);

        // Another release creates the routes of payments meanwhile: a host the checkout release never names.
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(snapshot, TestMeshes.Parse(TestMeshes.DefaultRoute("payments", "v2")), leader, default)).Outcome);
        var checkout = await Store.ApplyAsync(snapshot, TestMeshes.Parse(TestMeshes.DefaultRoute("checkout", "v2")), leader, default);

        Assert.Equal(WriteOutcome.Applied, checkout.Outcome);
        Assert.Equal(2, (await Store.ListAsync(DocumentKind.VirtualService, default)).Count);
    }

    [Fact]
    public async Task ApplyAsync_ABrokenDocumentElsewhere_StopsAUsersWriteButNotAReleasesOrOneThatBreaksItsOwnRoutes()
    {
        await Store.ApplyAsync(TestMeshes.Parse(
            TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"]), TestMeshes.DefaultRoute("checkout", "v1"),
            TestMeshes.Service("payments"), TestMeshes.Rule("payments", ["v1"])), default);
        // Stored without validation (by hand, or before a check existed): payments' routes send to a subset its rule lacks.
        var broken = TestMeshes.Parse(TestMeshes.DefaultRoute("payments", "v9"))[0].Document;
        await new GuardedTxn().Put(_connection.Keys.Document(DocumentKind.VirtualService, "payments"), Core.Parsing.DocumentCodec.Write(broken).ToJsonString())
            .CommitAsync(_connection, default);
        await using var leader = (await LeadAsync())!;
        var snapshot = await Store.ReadAsync(default);

        var users = await Store.ApplyAsync(snapshot, TestMeshes.Parse(TestMeshes.CanaryRoutes("checkout", 90, 10)), default);
        var releases = await Store.ApplyAsync(snapshot, TestMeshes.Parse(TestMeshes.CanaryRoutes("checkout", 90, 10)), leader, default);
        var breaking = await Store.ApplyAsync(await Store.ReadAsync(default), TestMeshes.Parse(TestMeshes.DefaultRoute("checkout", "v3")), leader, default);

        Assert.Equal(WriteOutcome.Invalid, users.Outcome);
        Assert.Contains(users.Errors, e => e.Document == "VirtualService/payments");
        Assert.Equal(WriteOutcome.Applied, releases.Outcome);
        Assert.Equal(WriteOutcome.Invalid, breaking.Outcome);
        Assert.Equal(["VirtualService/checkout spec.http[0].route[0].destination.subset"], breaking.Errors.Select(e => $"{e.Document} {e.Path}"));
    }

    [Fact]
    public async Task ApplyAsync_UsersWrite_RecordsWhatItChanged()
    {
        var written = await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"])), default);

        var record = (await _connection.GetAsync(_connection.Keys.UserWrite, default)).Kvs.Single();
        Assert.Equal(written.Revision, record.ModRevision);
        Assert.Equal("[\"Service/checkout created\",\"DestinationRule/checkout created\"]", record.Value.ToStringUtf8());
    }

    [Theory]
    [InlineData("the routes it writes")]
    [InlineData("the rule of a host its routes send to")]
    [InlineData("the Service its routes send to")]
    [InlineData("routes for the same host, created")]
    public async Task ApplyAsync_ReleasesWriteWhileWhatItReliesOnChanged_Conflicts(string changed)
    {
        await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"])), default);
        if (changed != "routes for the same host, created")
        {
            await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.DefaultRoute("checkout", "v1")), default);
        }

        await using var leader = (await LeadAsync())!;
        var snapshot = await Store.ReadAsync(default);
        var meanwhile = changed switch
        {
            "the routes it writes" => TestMeshes.CanaryRoutes("checkout", 50, 50),
            "the rule of a host its routes send to" => TestMeshes.Rule("checkout", ["v1", "v2", "v3"]),
            "the Service its routes send to" => TestMeshes.Service(port: 9090),
            _ => TestMeshes.VirtualService("checkout", [TestMeshes.To("checkout", "v1")], name: "checkout-by-hand"),
        };
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(meanwhile), default)).Outcome);

        var result = await Store.ApplyAsync(snapshot, TestMeshes.Parse(TestMeshes.DefaultRoute("checkout", "v2")), leader, default);

        Assert.Equal(WriteOutcome.Conflict, result.Outcome);
    }
}
