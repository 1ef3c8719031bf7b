using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Routing;

namespace LightMesh.Core.Releases;

/// <summary>What an apply may write: its documents with the releases' parts kept, and every managed field it would change.</summary>
public sealed record ManagedRoutesCheck(IReadOnlyList<SourcedDocument> Documents, IReadOnlyList<ManagedField> Conflicts);

/// <summary>
/// What a running release owns in its service's documents, and what a user's write may do to it, as pure functions.
/// While service S has an active release, the release owns: the <c>stable</c> and <c>canary</c> subsets of the
/// DestinationRule whose host is S; the destinations, weights and canary destination's headers of the default route (the one <see cref="WeightChange"/>
/// edits when no route is named) of the VirtualService whose hosts hold S, and the header and mirror routes its steps
/// put there (named <see cref="ReleaseTraffic.RoutePrefix"/>...); and the Service's
/// <c>deploy.versions.stable</c>, which a promotion moves. Everything else in those documents stays the user's. The
/// release engine's own writes are not checked: they are the release's.
/// </summary>
public static class ManagedRoutes
{
    /// <summary>The subsets a release owns, by name.</summary>
    public static readonly IReadOnlyList<string> Subsets = [ReleaseTraffic.StableSubset, ReleaseTraffic.CanarySubset];

    /// <summary>The services whose active release could own part of <paramref name="documents"/>.</summary>
    public static IReadOnlySet<string> ServicesOf(IEnumerable<Document> documents) => documents
        .SelectMany(d => d switch
        {
            MeshService service => [service.Name],
            DestinationRule rule => [rule.Spec.Host],
            VirtualService routes => routes.Spec.Hosts,
            _ => (IEnumerable<string>)[],
        })
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Checks an apply of <paramref name="incoming"/> over <paramref name="stored"/> while <paramref name="active"/> run.
    /// A managed field that would differ from the stored one is a conflict (a default route that is missing counts, and so
    /// does a rule or route that would stop serving the release's service); a DestinationRule that leaves out the
    /// release's subsets gets them back from the stored one, so the release keeps working.
    /// </summary>
    public static ManagedRoutesCheck CheckApply(IReadOnlyList<SourcedDocument> incoming, IReadOnlyList<Document> stored, IReadOnlyList<ActiveRelease> active)
    {
        var documents = incoming.ToList();
        var conflicts = new List<ManagedField>();
        foreach (var release in active)
        {
            var rule = ServiceRules.RuleOf(stored, release.Service);
            var routes = ServiceRules.RoutesOf(stored, release.Service);
            var service = stored.OfType<MeshService>().FirstOrDefault(s => s.Name == release.Service);
            for (var i = 0; i < documents.Count; i++)
            {
                var checkedDocument = documents[i].Document switch
                {
                    DestinationRule r when r.Spec.Host == release.Service || r.Name == rule?.Name => CheckRule(r, rule, release, conflicts),
                    VirtualService v when v.Spec.Hosts.Contains(release.Service) || v.Name == routes?.Name => CheckRoutes(v, routes, release, conflicts),
                    MeshService s when s.Name == release.Service => CheckService(s, service, release, conflicts),
                    var other => other,
                };
                documents[i] = documents[i] with { Document = checkedDocument };
            }
        }

        return new ManagedRoutesCheck(documents, conflicts);
    }

    /// <summary>Deleting <paramref name="stored"/> is refused while the release of a service it serves runs.</summary>
    public static IReadOnlyList<ManagedField> CheckDelete(Document stored, IReadOnlyList<ActiveRelease> active) =>
        active.Where(r => Serves(stored, r.Service)).Select(r => new ManagedField(r.Id, stored.Reference, "", RouteWrite.Delete)).ToList();

    /// <summary>Setting the weights of <paramref name="routeName"/> (default: the default route) is refused when it is a release's route.</summary>
    public static IReadOnlyList<ManagedField> CheckWeights(VirtualService routes, string? routeName, IReadOnlyList<ActiveRelease> active)
    {
        var target = WeightChange.RouteIndex(routes, routeName);
        if (target < 0 || (target != WeightChange.RouteIndex(routes, null) && !ReleaseTraffic.IsReleaseRoute(routes.Spec.Http[target])))
        {
            return [];
        }

        return active.Where(r => routes.Spec.Hosts.Contains(r.Service))
            .Select(r => new ManagedField(r.Id, routes.Reference, $"spec.http[{target}].route", RouteWrite.Weights))
            .ToList();
    }

    /// <summary>What a forced write changed, for the release's event log: the write, the fields, and the weights it set.</summary>
    public static string Describe(IReadOnlyList<ManagedField> fields, IReadOnlyList<SubsetWeight>? weights = null)
    {
        var named = string.Join(", ", fields.Select(f => f.Field).Distinct(StringComparer.Ordinal));
        return (fields.Count == 0 ? RouteWrite.Apply : fields[0].Write) switch
        {
            RouteWrite.Weights => $"weights of {named} set to {string.Join(" ", (weights ?? []).Select(w => $"{w.Subset}={w.Weight}"))}",
            RouteWrite.Delete => $"deleted {named}",
            _ => $"applied {named}",
        };
    }

    private static DestinationRule CheckRule(DestinationRule rule, DestinationRule? stored, ActiveRelease release, List<ManagedField> conflicts)
    {
        if (rule.Spec.Host != release.Service)
        {
            conflicts.Add(new ManagedField(release.Id, rule.Reference, "spec.host", RouteWrite.Apply));
            return rule;
        }

        var subsets = rule.Spec.Subsets.ToList();
        foreach (var name in Subsets)
        {
            var mine = stored?.Spec.Subsets.FirstOrDefault(s => s.Name == name);
            var theirs = rule.Spec.Subsets.FirstOrDefault(s => s.Name == name);
            if (theirs is null)
            {
                // Left out is not taken away: most users never write the release's subsets, and removing them would
                // leave its routes pointing at nothing.
                if (mine is not null)
                {
                    subsets.Add(mine);
                }
            }
            else if (mine is null || !SameSubset(mine, theirs))
            {
                conflicts.Add(new ManagedField(release.Id, rule.Reference, $"spec.subsets[{name}]", RouteWrite.Apply));
            }
        }

        return subsets.Count == rule.Spec.Subsets.Count ? rule : rule with { Spec = rule.Spec with { Subsets = subsets } };
    }

    private static VirtualService CheckRoutes(VirtualService routes, VirtualService? stored, ActiveRelease release, List<ManagedField> conflicts)
    {
        if (!routes.Spec.Hosts.Contains(release.Service))
        {
            conflicts.Add(new ManagedField(release.Id, routes.Reference, "spec.hosts", RouteWrite.Apply));
            return routes;
        }

        var index = WeightChange.RouteIndex(routes, null);
        if (index < 0)
        {
            conflicts.Add(new ManagedField(release.Id, routes.Reference, "spec.http", RouteWrite.Apply));
            return routes;
        }

        var storedIndex = stored is null ? -1 : WeightChange.RouteIndex(stored, null);
        if (storedIndex < 0 || !Weighted(stored!.Spec.Http[storedIndex].Route).SequenceEqual(Weighted(routes.Spec.Http[index].Route)))
        {
            conflicts.Add(new ManagedField(release.Id, routes.Reference, $"spec.http[{index}].route", RouteWrite.Apply));
        }

        // The release's own routes, and the headers of the default route's canary destination (a session cookie): left
        // out is not taken away (they are put back where the release keeps them, a mirror route following the default
        // route as written now); written otherwise than they are, or elsewhere, is a conflict.
        var mine = stored?.Spec.Http.Where(ReleaseTraffic.IsReleaseRoute).ToList() ?? [];
        var canaryHeaders = stored is null ? null : ReleaseTraffic.CanaryHeaders(stored);
        var expected = ReleaseTraffic.Place(routes, mine, canaryHeaders);
        if (ReleaseTraffic.CanaryHeaders(routes) is { } written && written != canaryHeaders)
        {
            conflicts.Add(new ManagedField(release.Id, routes.Reference, $"spec.http[{index}].route[{ReleaseTraffic.CanarySubset}].headers", RouteWrite.Apply));
        }

        if (!routes.Spec.Http.Any(ReleaseTraffic.IsReleaseRoute))
        {
            return mine.Count == 0 && canaryHeaders is null ? routes : expected;
        }

        if (expected.Spec.Http.Count != routes.Spec.Http.Count || !expected.Spec.Http.Zip(routes.Spec.Http).All(pair => SameRoute(pair.First, pair.Second)))
        {
            // Forced, it is written as it is.
            conflicts.Add(new ManagedField(release.Id, routes.Reference, $"spec.http[{ReleaseTraffic.RoutePrefix}*]", RouteWrite.Apply));
            return routes;
        }

        return expected;
    }

    /// <summary>Whether two routes are written alike: name, matches, destinations, and what else a release's routes may carry.</summary>
    private static bool SameRoute(HttpRoute a, HttpRoute b) =>
        a.Name == b.Name
        && a.Match.Count == b.Match.Count
        && a.Match.Zip(b.Match).All(m => m.First.Uri == m.Second.Uri && m.First.IgnoreUriCase == m.Second.IgnoreUriCase
            && m.First.Headers.Count == m.Second.Headers.Count && m.First.Headers.All(h => m.Second.Headers.TryGetValue(h.Key, out var v) && v == h.Value))
        && Weighted(a.Route).SequenceEqual(Weighted(b.Route))
        && a.Timeout == b.Timeout && a.Retries == b.Retries && a.Fault == b.Fault && a.Mirror == b.Mirror && a.MirrorPercentage == b.MirrorPercentage;

    private static MeshService CheckService(MeshService service, MeshService? stored, ActiveRelease release, List<ManagedField> conflicts)
    {
        if (service.Spec.Deploy?.StableVersion != stored?.Spec.Deploy?.StableVersion)
        {
            conflicts.Add(new ManagedField(release.Id, service.Reference, "spec.deploy.versions.stable", RouteWrite.Apply));
        }

        return service;
    }

    private static bool Serves(Document document, string service) => document switch
    {
        MeshService s => s.Name == service,
        DestinationRule r => r.Spec.Host == service,
        VirtualService v => v.Spec.Hosts.Contains(service),
        _ => false,
    };

    /// <summary>
    /// A route's destinations with the weight each gets (a lone unweighted one all of it), so equal routes compare equal
    /// however written; their headers are compared apart (the canary's are the release's session cookie).
    /// </summary>
    private static IEnumerable<HttpRouteDestination> Weighted(IReadOnlyList<HttpRouteDestination> route) =>
        route.Select(d => d with { Weight = d.Weight ?? (route.Count == 1 ? 100 : 0), Headers = null });

    private static bool SameSubset(Subset a, Subset b) =>
        a.Name == b.Name
        && Equals(a.TrafficPolicy, b.TrafficPolicy)
        && a.Labels.Count == b.Labels.Count
        && a.Labels.All(l => b.Labels.TryGetValue(l.Key, out var value) && value == l.Value);
}
