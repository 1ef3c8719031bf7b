using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Testing;

namespace LightMesh.Core.Tests.Releases;

/// <summary>What a running release owns in its service's documents, and what users' writes may do to it.</summary>
public sealed class ManagedRoutesTests
{
    private const string ReleaseId = "checkout-v2-20260101000000-abcd";
    private static readonly ActiveRelease Release = new("checkout", ReleaseId);

    private static List<SourcedDocument> Parse(string yaml)
    {
        var result = DocumentParser.Parse(yaml, "t.yaml");
        Assert.Empty(result.Errors);
        return [.. result.Documents];
    }

    private static List<SourcedDocument> Example() => Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "checkout.yaml")));

    /// <summary>The documents as a release of checkout v1 -> v2 at 25% leaves them, from the example's rules.</summary>
    private static List<Document> Stored()
    {
        var service = (MeshService)Parse(TestMeshes.Service(image: "acme/checkout"))[0].Document;
        var example = Example();
        var (rule, routes) = ReleaseTraffic.Prepare(service, (DestinationRule)example[0].Document, (VirtualService)example[1].Document, "v1", "v2");
        return [service, rule, ReleaseTraffic.SetCanaryWeight(routes, 25).Updated!];
    }

    private static T Stored<T>() => Stored().OfType<T>().Single();

    [Fact]
    public void CheckApply_TheExampleDuringARelease_RefusesItsDefaultRoute_AndKeepsTheReleasesSubsets()
    {
        var check = ManagedRoutes.CheckApply(Example(), Stored(), [Release]);

        var conflict = Assert.Single(check.Conflicts);
        Assert.Equal($"VirtualService/checkout spec.http[1].route: managed by release {ReleaseId} (active); abort or finish it, or apply with --force", conflict.ToString());
        var rule = Assert.IsType<DestinationRule>(check.Documents[0].Document);
        Assert.Equal(["v1", "v2", "stable", "canary"], rule.Spec.Subsets.Select(s => s.Name));
        Assert.Equal([("stable", "v1"), ("canary", "v2")], rule.Spec.Subsets.Skip(2).Select(s => (s.Name, s.Labels["version"])));
        Assert.Equal("t.yaml", check.Documents[0].Source);
    }

    [Fact]
    public void CheckApply_EveryManagedFieldChanged_ReportsThemAllAtOnce()
    {
        var documents = Parse(TestMeshes.Join(
            TestMeshes.Service(image: "acme/checkout", stable: "v2"),
            TestMeshes.Rule("checkout", [new("stable", "v0"), new("canary", "v9")]),
            TestMeshes.DefaultRoute("checkout", "stable")));

        var check = ManagedRoutes.CheckApply(documents, Stored(), [Release]);

        Assert.Equal(
            ["Service/checkout spec.deploy.versions.stable", "DestinationRule/checkout spec.subsets[stable]", "DestinationRule/checkout spec.subsets[canary]", "VirtualService/checkout spec.http[0].route"],
            check.Conflicts.Select(c => c.Field));
        Assert.All(check.Conflicts, c => Assert.Equal(ReleaseId, c.ReleaseId));
    }

    [Fact]
    public void CheckApply_OnlyUnmanagedFieldsChanged_IsAllowed_AndTheReleasesPartsStayAsStored()
    {
        var stored = Stored();
        var rule = stored.OfType<DestinationRule>().Single();
        var routes = stored.OfType<VirtualService>().Single();
        var http = routes.Spec.Http.ToList();
        http[1] = http[1] with { Timeout = null, Retries = null };
        http.Insert(0, new HttpRoute { Name = "mirror", Match = [new HttpMatchRequest { Name = "debug" }], Route = [new HttpRouteDestination { Destination = new Destination { Host = "checkout", Subset = "v1" } }] });
        var incoming = new List<SourcedDocument>
        {
            new(rule with { Spec = rule.Spec with { TrafficPolicy = null, Subsets = [.. rule.Spec.Subsets.Where(s => s.Name != "canary")] } }, "user.yaml"),
            new(routes with { Spec = routes.Spec with { Http = http } }, "user.yaml"),
            new(stored.OfType<MeshService>().Single() with { Spec = stored.OfType<MeshService>().Single().Spec with { Owner = "payments-team" } }, "user.yaml"),
        };

        var check = ManagedRoutes.CheckApply(incoming, stored, [Release]);

        Assert.Empty(check.Conflicts);
        var written = Assert.IsType<DestinationRule>(check.Documents[0].Document);
        Assert.Null(written.Spec.TrafficPolicy);
        Assert.Same(rule.Spec.Subsets.Single(s => s.Name == "canary"), written.Spec.Subsets.Single(s => s.Name == "canary"));
        Assert.Same(incoming[1].Document, check.Documents[1].Document);
    }

    [Fact]
    public void CheckApply_NoActiveRelease_WritesTheDocumentsAsGiven()
    {
        var example = Example();

        var check = ManagedRoutes.CheckApply(example, Stored(), []);

        Assert.Empty(check.Conflicts);
        Assert.Equal(example, check.Documents);
    }

    [Fact]
    public void CheckApply_AnotherServicesRelease_DoesNotTouchTheseDocuments()
    {
        var check = ManagedRoutes.CheckApply(Example(), Stored(), [new ActiveRelease("payments", "payments-v3")]);

        Assert.Empty(check.Conflicts);
    }

    [Fact]
    public void CheckApply_RulesThatStopServingTheService_AreConflicts()
    {
        var rule = Stored<DestinationRule>();
        var routes = Stored<VirtualService>();
        var incoming = new List<SourcedDocument>
        {
            new(rule with { Spec = rule.Spec with { Host = "payments" } }, "user.yaml"),
            new(routes with { Spec = routes.Spec with { Hosts = ["payments"] } }, "user.yaml"),
        };

        var check = ManagedRoutes.CheckApply(incoming, Stored(), [Release]);

        Assert.Equal(["DestinationRule/checkout spec.host", "VirtualService/checkout spec.hosts"], check.Conflicts.Select(c => c.Field));
    }

    [Fact]
    public void CheckApply_VirtualServiceWithoutADefaultRoute_IsAConflict()
    {
        var routes = Stored<VirtualService>();
        var onlyMatches = routes with { Spec = routes.Spec with { Http = [routes.Spec.Http[0]] } };

        var check = ManagedRoutes.CheckApply([new(onlyMatches, "user.yaml")], Stored(), [Release]);

        Assert.Equal("VirtualService/checkout spec.http", Assert.Single(check.Conflicts).Field);
    }

    [Fact]
    public void CheckApply_SameWeightsWrittenDifferently_IsNoConflict()
    {
        var stored = Stored().Select(d => d is VirtualService v ? ReleaseTraffic.SetCanaryWeight(v, 0).Updated! : d).ToList();
        var routes = stored.OfType<VirtualService>().Single();
        var http = routes.Spec.Http.ToList();
        http[1] = http[1] with { Route = [.. http[1].Route.Select(d => d with { Weight = d.Weight == 0 ? null : d.Weight })] };

        var check = ManagedRoutes.CheckApply([new(routes with { Spec = routes.Spec with { Http = http } }, "user.yaml")], stored, [Release]);

        Assert.Empty(check.Conflicts);
    }

    [Fact]
    public void CheckDelete_TheServicesRuleRoutesOrService_AreRefused_OthersAreNot()
    {
        var refused = Stored().SelectMany(d => ManagedRoutes.CheckDelete(d, [Release])).ToList();
        var other = ManagedRoutes.CheckDelete(Stored<DestinationRule>(), [new ActiveRelease("payments", "payments-v3")]);

        Assert.Equal(["Service/checkout", "DestinationRule/checkout", "VirtualService/checkout"], refused.Select(c => c.Field));
        Assert.Equal($"DestinationRule/checkout: managed by release {ReleaseId} (active); abort or finish it, or delete with --force", refused[1].ToString());
        Assert.Empty(other);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("primary", true)]
    [InlineData("testers", false)]
    [InlineData("nosuch", false)]
    public void CheckWeights_OnlyTheDefaultRoute_IsTheReleases(string? route, bool refused)
    {
        var conflicts = ManagedRoutes.CheckWeights(Stored<VirtualService>(), route, [Release]);

        Assert.Equal(refused ? ["VirtualService/checkout spec.http[1].route"] : [], conflicts.Select(c => c.Field));
        Assert.All(conflicts, c => Assert.EndsWith("or set the weights with --force", c.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_EachWrite_SaysWhatChanged()
    {
        var weights = ManagedRoutes.CheckWeights(Stored<VirtualService>(), null, [Release]);
        var applied = ManagedRoutes.CheckApply(Example(), Stored(), [Release]).Conflicts;
        var deleted = ManagedRoutes.CheckDelete(Stored<VirtualService>(), [Release]);

        Assert.Equal("weights of VirtualService/checkout spec.http[1].route set to stable=100 canary=0", ManagedRoutes.Describe(weights, [new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)]));
        Assert.Equal("applied VirtualService/checkout spec.http[1].route", ManagedRoutes.Describe(applied));
        Assert.Equal("deleted VirtualService/checkout", ManagedRoutes.Describe(deleted));
    }

    [Fact]
    public void ServicesOf_RulesRoutesAndServices_NameTheServicesTheyServe()
    {
        var routes = Stored<VirtualService>();

        var services = ManagedRoutes.ServicesOf([.. Stored(), routes with { Spec = routes.Spec with { Hosts = ["checkout", "payments"] } }]);

        Assert.Equal(["checkout", "payments"], services.Order(StringComparer.Ordinal));
    }
}
