using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Etcd.Documents;
using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

/// <summary>
/// Users' writes while a release of checkout is active (<c>activereleases/checkout</c> in etcd): what it manages is
/// refused, the rest is written with the release's parts kept, all in one transaction guarded by the releases read.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ManagedRoutesStoreTests(EtcdFixture etcd) : IDisposable
{
    private const string ReleaseId = "checkout-v2-20260101000000-abcd";

    /// <summary>The rules as a release of checkout at 25% leaves them: subsets stable and canary, the default route split.</summary>
    private static readonly string ReleasedRules = TestMeshes.Join(
        TestMeshes.Rule("checkout", ["v1", new("stable", "v1"), new("canary", "v2")]),
        TestMeshes.VirtualService("checkout", [TestMeshes.Match("checkout", "canary", name: "testers"), TestMeshes.Split("checkout", ("stable", 75), ("canary", 25))]));

    /// <summary>The rule a user who never heard of the release applies: without the release's subsets.</summary>
    private static readonly string UsersRule = TestMeshes.Rule("checkout", ["v1", "v2"], loadBalancer: "LEAST_REQUEST");

    /// <summary>What a user who never heard of the release applies: the rule without its subsets, the default route their own.</summary>
    private static readonly string UsersRules = TestMeshes.Join(UsersRule, TestMeshes.VirtualService("checkout", [TestMeshes.Split("checkout", ("v1", 90), ("v2", 10))]));

    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    private DocumentStore Store => new(_connection);

    public void Dispose() => _connection.Dispose();

    private async Task ReleasedAsync()
    {
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), ReleasedRules), default)).Outcome);
        await StartReleaseAsync();
    }

    private async Task StartReleaseAsync() =>
        Assert.True((await new GuardedTxn().Put(_connection.Keys.ActiveRelease("checkout"), ReleaseId).CommitAsync(_connection, default)).Succeeded);

    private async Task<(DestinationRule Rule, VirtualService Routes)> StoredAsync() =>
        (Assert.IsType<DestinationRule>(await Store.GetAsync(DocumentKind.DestinationRule, "checkout", default)),
         Assert.IsType<VirtualService>(await Store.GetAsync(DocumentKind.VirtualService, "checkout", default)));

    [Fact]
    public async Task ApplyAsync_DefaultRouteOfAServiceWithARelease_IsRefusedNamingTheRelease_AndWritesNothing()
    {
        await ReleasedAsync();
        var before = await Store.ReadAsync(default);

        var result = await Store.ApplyAsync(TestMeshes.Parse(UsersRules), default);

        Assert.Equal(WriteOutcome.Managed, result.Outcome);
        Assert.Equal(
            $"VirtualService/checkout spec.http[0].route: managed by release {ReleaseId} (active); abort or finish it, or apply with --force",
            Assert.Single(result.ManagedFields).ToString());
        Assert.Equal(before.Revision, (await Store.ReadAsync(default)).Revision);
    }

    [Fact]
    public async Task ApplyAsync_OtherFieldsOfTheReleasesRules_AreWrittenWithTheReleasesPartsKept()
    {
        await ReleasedAsync();
        var users = TestMeshes.Join(
            UsersRule,
            TestMeshes.VirtualService("checkout", [
                "{name: beta, match: [{uri: {prefix: /beta/}}], route: [{destination: {host: checkout, subset: v2}}]}",
                "{name: primary, timeout: 2s, route: [{destination: {host: checkout, subset: stable}, weight: 75}, {destination: {host: checkout, subset: canary}, weight: 25}]}",
            ]));

        var result = await Store.ApplyAsync(TestMeshes.Parse(users), default);

        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        var (rule, routes) = await StoredAsync();
        Assert.Equal(["v1", "v2", "stable", "canary"], rule.Spec.Subsets.Select(s => s.Name));
        Assert.Equal(LoadBalancerKind.LeastRequest, rule.Spec.TrafficPolicy?.LoadBalancer);
        Assert.Equal(["beta", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.Equal([new SubsetWeight("stable", 75), new SubsetWeight("canary", 25)], WeightChange.Current(routes, null));
    }

    [Fact]
    public async Task ApplyAsync_NoActiveRelease_WritesTheUsersRulesAsGiven()
    {
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), ReleasedRules), default)).Outcome);

        var result = await Store.ApplyAsync(TestMeshes.Parse(UsersRules), default);

        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        Assert.Equal(["v1", "v2"], (await StoredAsync()).Rule.Spec.Subsets.Select(s => s.Name));
    }

    [Fact]
    public async Task CommitAsync_ReleaseStartedAfterThePlan_IsAConflictToRetry()
    {
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), ReleasedRules), default)).Outcome);
        var plan = await Store.PlanApplyAsync(await Store.ReadAsync(default), TestMeshes.Parse(UsersRules), default);
        Assert.Empty(plan.Managed);

        await StartReleaseAsync();
        var result = await Store.CommitAsync(plan, overrideReleases: false, default);
        var retried = await Store.ApplyAsync(TestMeshes.Parse(UsersRules), default);

        Assert.Equal(WriteOutcome.Conflict, result.Outcome);
        Assert.Equal(WriteOutcome.Managed, retried.Outcome);
        Assert.Equal(["stable", "canary"], (await StoredAsync()).Rule.Spec.Subsets.Skip(1).Select(s => s.Name));
    }

    [Fact]
    public async Task CommitAsync_Overridden_WritesTheManagedFields()
    {
        await ReleasedAsync();
        var plan = await Store.PlanApplyAsync(await Store.ReadAsync(default), TestMeshes.Parse(UsersRules), default);

        var result = await Store.CommitAsync(plan, overrideReleases: true, default);

        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        var (rule, routes) = await StoredAsync();
        Assert.Equal(["v1", "v2", "stable", "canary"], rule.Spec.Subsets.Select(s => s.Name));
        Assert.Equal([new SubsetWeight("v1", 90), new SubsetWeight("v2", 10)], WeightChange.Current(routes, null));
    }

    [Fact]
    public async Task SetWeightsForced_OfTheDefaultRoute_TheReleasesMirrorRouteTakesThemInTheSameWrite()
    {
        // The rules as the release wrote them, with a mirror route of every request; then the release is active.
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), ReleasedRules), default)).Outcome);
        var mirrored = ReleaseTraffic.WithReleaseRoutes((await StoredAsync()).Routes, "checkout", [new SetMirrorRouteStep("everything", 50, [])]);
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync([new SourcedDocument(mirrored, "release")], default)).Outcome);
        await StartReleaseAsync();

        var plan = await Store.PlanWeightsAsync("checkout", null, [new("stable", 100), new("canary", 0)], default);
        var result = await Store.CommitAsync(plan, overrideReleases: true, default);

        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        var routes = (await StoredAsync()).Routes;
        Assert.Equal(["testers", "lightmesh-release-everything", "primary"], routes.Spec.Http.Select(r => r.Name));
        var all = new[] { new SubsetWeight("stable", 100), new SubsetWeight("canary", 0) };
        Assert.Equal(all, WeightChange.Current(routes, null));
        Assert.Equal(all, WeightChange.Current(routes, "lightmesh-release-everything"));
    }

    [Fact]
    public async Task SetWeightsAsync_TheReleasesRoute_IsRefused_AnotherRouteIsNot()
    {
        await ReleasedAsync();

        var managed = await Store.SetWeightsAsync("checkout", "primary", [new("stable", 100), new("canary", 0)], default);
        var other = await Store.SetWeightsAsync("checkout", "testers", [new("stable", 50), new("canary", 50)], default);

        Assert.Equal(WriteOutcome.Managed, managed.Outcome);
        Assert.Equal("VirtualService/checkout spec.http[1].route", Assert.Single(managed.ManagedFields).Field);
        Assert.Equal(WriteOutcome.Applied, other.Outcome);
        Assert.Equal([new SubsetWeight("stable", 75), new SubsetWeight("canary", 25)], WeightChange.Current((await StoredAsync()).Routes, null));
    }

    [Fact]
    public async Task DeleteAsync_RoutesOfAServiceWithARelease_AreRefused_AnotherServicesAreNot()
    {
        await ReleasedAsync();
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service("payments")), default)).Outcome);

        var routes = await Store.DeleteAsync(DocumentKind.VirtualService, "checkout", default);
        var service = await Store.DeleteAsync(DocumentKind.Service, "payments", default);

        Assert.Equal(WriteOutcome.Managed, routes.Outcome);
        Assert.Equal($"VirtualService/checkout: managed by release {ReleaseId} (active); abort or finish it, or delete with --force", Assert.Single(routes.ManagedFields).ToString());
        Assert.NotNull(await Store.GetAsync(DocumentKind.VirtualService, "checkout", default));
        Assert.Equal(WriteOutcome.Applied, service.Outcome);
    }

    [Fact]
    public async Task DeleteAsync_TheReleasesRuleWithoutRoutesToIt_IsRefused()
    {
        Assert.Equal(WriteOutcome.Applied, (await Store.ApplyAsync(TestMeshes.Parse(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1", "v2"])), default)).Outcome);
        await StartReleaseAsync();

        var result = await Store.DeleteAsync(DocumentKind.DestinationRule, "checkout", default);

        Assert.Equal(WriteOutcome.Managed, result.Outcome);
        Assert.Equal("DestinationRule/checkout", Assert.Single(result.ManagedFields).Field);
        Assert.NotNull(await Store.GetAsync(DocumentKind.DestinationRule, "checkout", default));
    }

    [Fact]
    public async Task ApplyAsync_TheReleasesOwnWriteFencedByItsTerm_IsNotChecked()
    {
        await ReleasedAsync();
        var election = new Leadership.LeaderElection(_connection, "controller", TimeProvider.System);
        await using var term = (await election.TryLeadAsync("a", TimeSpan.FromSeconds(5), default))!;
        var routes = (await StoredAsync()).Routes;

        var result = await Store.ApplyAsync(await Store.ReadAsync(default), [new(ReleaseTraffic.SetCanaryWeight(routes, 50).Updated!, "release")], term, default);

        Assert.Equal(WriteOutcome.Applied, result.Outcome);
        Assert.Equal([new SubsetWeight("stable", 50), new SubsetWeight("canary", 50)], WeightChange.Current((await StoredAsync()).Routes, null));
    }
}
