using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Routing;
using LightMesh.Testing;

namespace LightMesh.Core.Tests.Routing;

public sealed class WeightChangeTests
{
    private static VirtualService Checkout() => (VirtualService)DocumentParser.Parse(
        TestMeshes.VirtualService("checkout", [TestMeshes.Match("checkout", "v2", value: "1", name: "testers"), TestMeshes.To("checkout", "v1", port: 8080)]),
        "vs.yaml").Documents.Single().Document;

    [Fact]
    public void Apply_NewCanarySubset_AppendsItWithHostAndPortOnTheDefaultRoute()
    {
        var original = Checkout();

        var result = WeightChange.Apply(original, null, [new("v1", 95), new("v2", 5)]);

        var route = Assert.IsType<VirtualService>(result.Updated).Spec.Http[1].Route;
        Assert.Equal([("v1", 95), ("v2", 5)], route.Select(d => (d.Destination.Subset, d.Weight ?? -1)));
        Assert.All(route, d => Assert.Equal(8080, d.Destination.Port));
        Assert.Same(original.Spec.Http[0], result.Updated!.Spec.Http[0]);
    }

    [Fact]
    public void Apply_Promotion_KeepsOldSubsetAtZero()
    {
        var canary = WeightChange.Apply(Checkout(), null, [new("v1", 50), new("v2", 50)]).Updated!;

        var promoted = WeightChange.Apply(canary, "primary", [new("v2", 100)]).Updated!;

        Assert.Equal([new SubsetWeight("v1", 0), new SubsetWeight("v2", 100)], WeightChange.Current(promoted, null));
    }

    [Theory]
    [InlineData(90, 20, "must add up to 100, not 110")]
    [InlineData(101, -1, "must be 0..100, not 101")]
    public void Apply_BadWeights_AreRejected(int stable, int canary, string expected)
    {
        var result = WeightChange.Apply(Checkout(), null, [new("v1", stable), new("v2", canary)]);

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_UnknownRouteName_IsRejected() =>
        Assert.Equal("VirtualService/checkout has no http route named \"nope\"", WeightChange.Apply(Checkout(), "nope", [new("v1", 100)]).Error);
}
