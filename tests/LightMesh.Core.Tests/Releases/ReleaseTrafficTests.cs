using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Core.Validation;
using LightMesh.Testing;

namespace LightMesh.Core.Tests.Releases;

public sealed class ReleaseTrafficTests
{
    private static List<Document> Parse(string yaml)
    {
        var result = DocumentParser.Parse(yaml, "t.yaml");
        Assert.Empty(result.Errors);
        return result.Documents.Select(d => d.Document).ToList();
    }

    private static readonly MeshService Checkout = (MeshService)Parse(TestMeshes.Service())[0];

    [Fact]
    public void Prepare_ServiceWithNoRules_CreatesThemWithEverythingOnStable()
    {
        var (rule, routes) = ReleaseTraffic.Prepare(Checkout, null, null, "v1", "v2");

        Assert.Equal([("stable", "v1"), ("canary", "v2")], rule.Spec.Subsets.Select(s => (s.Name, s.Labels["version"])));
        Assert.Equal([new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)], WeightChange.Current(routes, null));
        var documents = new[] { Checkout, (Document)rule, routes }.Select(d => new SourcedDocument(d, "release")).ToList();
        Assert.Empty(DocumentSetValidator.Validate(documents, complete: true));
    }

    [Fact]
    public void Prepare_UserRules_KeepsTheirOtherRoutesAndSubsets()
    {
        var documents = Parse(TestMeshes.Join(
            TestMeshes.Rule("checkout", [new("beta", "beta", Label: "track"), new("stable", "v0")], loadBalancer: "RANDOM"),
            TestMeshes.VirtualService("checkout", [TestMeshes.Match("checkout", "beta", header: "x-beta", value: "1", name: "beta-testers"), TestMeshes.To("checkout", "stable")])));

        var (rule, routes) = ReleaseTraffic.Prepare(Checkout, (DestinationRule)documents[0], (VirtualService)documents[1], "v1", "v2");

        Assert.Equal(["beta", "stable", "canary"], rule.Spec.Subsets.Select(s => s.Name));
        Assert.Equal("v1", rule.Spec.Subsets[1].Labels["version"]);
        Assert.Equal(LoadBalancerKind.Random, rule.Spec.TrafficPolicy!.LoadBalancer);
        Assert.Same(((VirtualService)documents[1]).Spec.Http[0], routes.Spec.Http[0]);
        Assert.Equal([new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)], WeightChange.Current(routes, null));
    }

    [Fact]
    public void SetCanaryWeight_AndPromotion_MoveTrafficAndTheStableSubset()
    {
        var (rule, routes) = ReleaseTraffic.Prepare(Checkout, null, null, "v1", "v2");

        var canary = ReleaseTraffic.SetCanaryWeight(routes, 25).Updated!;
        Assert.Equal([new SubsetWeight("stable", 75), new SubsetWeight("canary", 25)], WeightChange.Current(canary, null));

        var promoted = ReleaseTraffic.MoveStableTo(rule, "v2");
        Assert.Equal("v2", promoted.Spec.Subsets.Single(s => s.Name == "stable").Labels["version"]);
        Assert.False(ReleaseTraffic.SetCanaryWeight(canary, 101).Succeeded);
    }
}
