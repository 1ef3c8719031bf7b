using LightMesh.Core.Networking;

namespace LightMesh.Core.Routing;

/// <summary>A subset and the percent of a route's traffic it should get.</summary>
public sealed record SubsetWeight(string Subset, int Weight);

/// <summary>The outcome of <see cref="WeightChange.Apply"/>: the changed VirtualService, or why it could not change.</summary>
public sealed record WeightChangeResult(VirtualService? Updated, string? Error)
{
    public bool Succeeded => Updated is not null;
}

/// <summary>
/// Sets the subset weights of one HTTP route of a VirtualService: the one operation a release uses to move
/// traffic. Pure; the caller validates the result against the stored documents and writes it guarded.
/// </summary>
public static class WeightChange
{
    /// <summary>
    /// Gives each listed subset its weight (percent, 0..100, summing to 100) on the route named
    /// <paramref name="routeName"/>, or by default on the last route with no match. Destinations already on the
    /// route keep their place (an unlisted one gets 0); a new subset is appended with the route's host and port.
    /// </summary>
    public static WeightChangeResult Apply(VirtualService vs, string? routeName, IReadOnlyList<SubsetWeight> weights)
    {
        if (weights.Count == 0)
        {
            return Fail("no subset weights given");
        }

        if (weights.FirstOrDefault(w => w.Weight is < 0 or > 100) is { } bad)
        {
            return Fail($"weight of subset \"{bad.Subset}\" must be 0..100, not {bad.Weight}");
        }

        if (weights.Sum(w => w.Weight) != 100)
        {
            return Fail($"subset weights must add up to 100, not {weights.Sum(w => w.Weight)}");
        }

        if (weights.GroupBy(w => w.Subset).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return Fail($"subset \"{twice.Key}\" is listed more than once");
        }

        var index = RouteIndex(vs, routeName);
        if (index < 0)
        {
            return Fail(routeName is null
                ? $"{vs.Reference} has no route without a match; name the route to change"
                : $"{vs.Reference} has no http route named \"{routeName}\"");
        }

        var route = vs.Spec.Http[index];
        var hosts = route.Route.Select(d => d.Destination.Host).Distinct(StringComparer.Ordinal).ToList();
        if (hosts.Count != 1)
        {
            return Fail($"route {Describe(route, index)} of {vs.Reference} sends to {hosts.Count} hosts; subset weights need exactly one");
        }

        var template = route.Route[0].Destination;
        var byName = weights.ToDictionary(w => w.Subset, w => w.Weight, StringComparer.Ordinal);
        var destinations = route.Route
            .Select(d => d with { Weight = d.Destination.Subset is { } s && byName.TryGetValue(s, out var w) ? w : 0 })
            .ToList();
        destinations.AddRange(weights
            .Where(w => !route.Route.Any(d => d.Destination.Subset == w.Subset))
            .Select(w => new HttpRouteDestination { Destination = template with { Subset = w.Subset }, Weight = w.Weight }));

        var http = vs.Spec.Http.ToList();
        http[index] = route with { Route = destinations };
        return new WeightChangeResult(vs with { Spec = vs.Spec with { Http = http } }, null);
    }

    /// <summary>Reads the current percent per subset of the chosen route (a lone unweighted destination has 100).</summary>
    public static IReadOnlyList<SubsetWeight>? Current(VirtualService vs, string? routeName)
    {
        var index = RouteIndex(vs, routeName);
        if (index < 0)
        {
            return null;
        }

        var route = vs.Spec.Http[index].Route;
        return route.Count == 1
            ? [new SubsetWeight(route[0].Destination.Subset ?? "", route[0].Weight ?? 100)]
            : route.Select(d => new SubsetWeight(d.Destination.Subset ?? "", d.Weight ?? 0)).ToList();
    }

    /// <summary>
    /// The index of the http route named <paramref name="routeName"/>, or by default of the last route with no match (the
    /// one a release moves); -1 when there is none.
    /// </summary>
    public static int RouteIndex(VirtualService vs, string? routeName)
    {
        var http = vs.Spec.Http;
        for (var i = http.Count - 1; i >= 0; i--)
        {
            if (routeName is null ? http[i].Match.Count == 0 : http[i].Name == routeName)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Describe(HttpRoute route, int index) => route.Name is null ? $"#{index}" : $"\"{route.Name}\"";

    private static WeightChangeResult Fail(string error) => new(null, error);
}
