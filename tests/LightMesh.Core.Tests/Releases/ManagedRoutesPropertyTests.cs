using CsCheck;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// The ownership rules over generated rules and routes. A failing case prints CsCheck's seed (<c>Set seed: "..."</c>);
/// pass it as <c>seed:</c> to <c>Sample</c>, or set <c>CsCheck_Seed</c>, to replay it.
/// </summary>
public sealed class ManagedRoutesPropertyTests
{
    private static readonly ActiveRelease Release = new("checkout", "checkout-v2-1");

    private static readonly Gen<Subset> GenSubset =
        Gen.Select(Gen.OneOf("stable", "canary", "v1", "v2", "beta"), Gen.OneOf("v1", "v2", "v3"))
            .Select((name, version) => new Subset { Name = name, Labels = new Dictionary<string, string> { ["version"] = version } });

    private static readonly Gen<DestinationRule> GenRule = GenSubset.List[0, 5].Select(subsets => new DestinationRule
    {
        ApiVersion = "networking.istio.io/v1",
        Metadata = new ObjectMeta { Name = "checkout" },
        Spec = new DestinationRuleSpec { Host = "checkout", Subsets = [.. subsets.DistinctBy(s => s.Name)] },
    });

    /// <summary>No headers, or a session cookie set by the answers (one of two values).</summary>
    private static readonly Gen<Headers?> GenHeaders = Gen.OneOf("", "a", "b").Select(value => value.Length == 0 ? null : (Headers?)new Headers
    {
        Response = new HeaderOperations { Add = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["set-cookie"] = $"lm={value}" } },
    });

    private static readonly Gen<HttpRouteDestination> GenDestination =
        Gen.Select(Gen.OneOf("stable", "canary", "v1"), Gen.Int[0, 100].Nullable(), GenHeaders)
            .Select((subset, weight, headers) => new HttpRouteDestination { Destination = new Destination { Host = "checkout", Subset = subset }, Weight = weight, Headers = headers });

    private static readonly Gen<VirtualService> GenRoutes =
        Gen.Select(GenDestination.List[1, 3], Gen.Bool, Gen.Bool).Select((route, withMatchRoute, withDefault) => new VirtualService
        {
            ApiVersion = "networking.istio.io/v1",
            Metadata = new ObjectMeta { Name = "checkout" },
            Spec = new VirtualServiceSpec
            {
                Hosts = ["checkout"],
                Http =
                [
                    .. withMatchRoute ? [new HttpRoute { Name = "testers", Match = [new HttpMatchRequest { Name = "t" }], Route = route }] : Array.Empty<HttpRoute>(),
                    .. withDefault ? [new HttpRoute { Name = "primary", Route = route }] : Array.Empty<HttpRoute>(),
                ],
            },
        });

    /// <summary>Stored routes, and routes a user applies: new ones, or the stored default route under other routes of their own.</summary>
    private static readonly Gen<(VirtualService Stored, VirtualService Applied)> GenRoutePair =
        Gen.Select(GenRoutes, GenRoutes, Gen.Bool).Select((stored, other, keepsDefault) => (stored, keepsDefault
            ? other with { Spec = other.Spec with { Http = [.. other.Spec.Http.Where(r => r.Match.Count > 0), .. stored.Spec.Http.Where(r => r.Match.Count == 0).Select(r => r with { Timeout = null })] } }
            : other));

    [Fact]
    public void CheckApply_NoConflict_LeavesEveryManagedFieldAsStored()
    {
        var allowed = 0;
        Gen.Select(GenRule, GenRule, GenRoutePair).Sample((storedRule, rule, routePair) =>
        {
            var (storedRoutes, routes) = routePair;
            var check = ManagedRoutes.CheckApply([new(rule, "u"), new(routes, "u")], [storedRule, storedRoutes], [Release]);
            if (check.Conflicts.Count > 0)
            {
                return;
            }

            Interlocked.Increment(ref allowed);
            var written = (DestinationRule)check.Documents[0].Document;
            foreach (var name in ManagedRoutes.Subsets)
            {
                Assert.Equal(Describe(storedRule, name), Describe(written, name));
            }

            var writtenRoutes = (VirtualService)check.Documents[1].Document;
            Assert.Equal(WeightChange.Current(storedRoutes, null), WeightChange.Current(writtenRoutes, null));
            Assert.Equal(ReleaseTraffic.CanaryHeaders(storedRoutes), ReleaseTraffic.CanaryHeaders(writtenRoutes));
        });

        Assert.True(allowed > 0, "no generated apply was allowed: the property was never tested");
    }

    [Fact]
    public void CheckApply_Rule_ConflictsExactlyOnTheReleasesSubsetsItChanges_AndKeepsEveryOtherSubsetAsGiven() =>
        Gen.Select(GenRule, GenRule).Sample((stored, rule) =>
        {
            var check = ManagedRoutes.CheckApply([new(rule, "u")], [stored], [Release]);

            var changed = ManagedRoutes.Subsets.Where(n => Describe(rule, n) is { } given && given != Describe(stored, n)).Select(n => $"spec.subsets[{n}]");
            Assert.Equal(changed, check.Conflicts.Select(c => c.Path));
            var written = (DestinationRule)check.Documents[0].Document;
            Assert.Equal(rule.Spec.Subsets.Where(s => !ManagedRoutes.Subsets.Contains(s.Name)), written.Spec.Subsets.Where(s => !ManagedRoutes.Subsets.Contains(s.Name)));
        });

    [Fact]
    public void CheckApply_NoActiveRelease_NeverConflictsNorChangesADocument() =>
        Gen.Select(GenRule, GenRule, GenRoutes, GenRoutes).Sample((storedRule, rule, storedRoutes, routes) =>
        {
            var incoming = new List<SourcedDocument> { new(rule, "u"), new(routes, "u") };

            var check = ManagedRoutes.CheckApply(incoming, [storedRule, storedRoutes], []);

            Assert.Empty(check.Conflicts);
            Assert.Equal(incoming, check.Documents);
        });

    [Fact]
    public void CheckWeights_RefusesExactlyTheRouteAReleaseMoves() =>
        Gen.Select(GenRoutes, Gen.OneOf<string?>(null, "primary", "testers")).Sample((routes, name) =>
        {
            var conflicts = ManagedRoutes.CheckWeights(routes, name, [Release]);

            var moved = WeightChange.RouteIndex(routes, null);
            Assert.Equal(moved >= 0 && WeightChange.RouteIndex(routes, name) == moved, conflicts.Count == 1);
        });

    /// <summary>A subset's name and labels as one comparable text; null when the rule has no such subset.</summary>
    private static string? Describe(DestinationRule rule, string name) =>
        rule.Spec.Subsets.FirstOrDefault(s => s.Name == name) is { } subset
            ? $"{subset.Name}:{string.Join(",", subset.Labels.Select(l => $"{l.Key}={l.Value}"))}"
            : null;
}
