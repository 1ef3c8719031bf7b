using System.Security.Cryptography;
using System.Text;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Routing;

namespace LightMesh.Core.Releases;

/// <summary>
/// The route rules a release works with, as pure functions: two subsets with fixed names, <c>stable</c> and
/// <c>canary</c>, so cluster names (<c>outbound|PORT|canary|HOST</c>) and analysis queries stay the same from
/// release to release. Every other route and subset a user wrote is kept as it was.
/// </summary>
public static class ReleaseTraffic
{
    public const string StableSubset = "stable";
    public const string CanarySubset = "canary";

    /// <summary>
    /// The DestinationRule and VirtualService a release of <paramref name="service"/> from <paramref name="stableVersion"/>
    /// to <paramref name="canaryVersion"/> starts from: the rule gains (or updates) the stable and canary subsets, created if
    /// the service has none; the VirtualService is created with one route if there is none, and its default route
    /// (the last without a match) sends everything to stable, unless a release already started there (the route has a
    /// canary subset), whose weights are kept so that preparing again changes nothing.
    /// </summary>
    public static (DestinationRule Rule, VirtualService Routes) Prepare(MeshService service, DestinationRule? rule, VirtualService? routes, string stableVersion, string canaryVersion)
    {
        var subsets = (rule?.Spec.Subsets ?? []).Where(s => s.Name is not (StableSubset or CanarySubset)).ToList();
        subsets.Add(Subset(StableSubset, stableVersion));
        subsets.Add(Subset(CanarySubset, canaryVersion));
        var preparedRule = rule is null
            ? new DestinationRule
            {
                ApiVersion = DocumentKinds.IstioApiVersions[0],
                Metadata = new ObjectMeta { Name = service.Name },
                Spec = new DestinationRuleSpec { Host = service.Name, Subsets = subsets },
            }
            : rule with { Spec = rule.Spec with { Subsets = subsets } };

        var preparedRoutes = routes ?? new VirtualService
        {
            ApiVersion = DocumentKinds.IstioApiVersions[0],
            Metadata = new ObjectMeta { Name = service.Name },
            Spec = new VirtualServiceSpec
            {
                Hosts = [service.Name],
                Http = [new HttpRoute { Name = "primary", Route = [new HttpRouteDestination { Destination = new Destination { Host = service.Name, Subset = StableSubset } }] }],
            },
        };

        var started = routes is not null && IsSplit(routes);
        return (preparedRule, started ? preparedRoutes : SetCanaryWeight(preparedRoutes, 0).Updated ?? preparedRoutes);
    }

    /// <summary>The default route sending <paramref name="canaryPercent"/> to canary and the rest to stable.</summary>
    public static WeightChangeResult SetCanaryWeight(VirtualService routes, int canaryPercent) =>
        WeightChange.Apply(routes, null, Split(canaryPercent));

    /// <summary>The default route's split: <paramref name="canaryPercent"/> to the canary subset, the rest to stable.</summary>
    public static IReadOnlyList<SubsetWeight> Split(int canaryPercent) =>
        [new SubsetWeight(StableSubset, 100 - canaryPercent), new SubsetWeight(CanarySubset, canaryPercent)];

    /// <summary>After promotion the stable subset selects the new version; canary keeps it too until the release ends.</summary>
    public static DestinationRule MoveStableTo(DestinationRule rule, string version) => rule with
    {
        Spec = rule.Spec with
        {
            Subsets = rule.Spec.Subsets.Select(s => s.Name == StableSubset ? Subset(StableSubset, version) with { TrafficPolicy = s.TrafficPolicy } : s).ToList(),
        },
    };

    /// <summary>The names of the routes a release adds to its service's VirtualService (its header and mirror routes) begin with this.</summary>
    public const string RoutePrefix = "lightmesh-release-";

    /// <summary>The route a <c>setHeaderRoute</c> or <c>setMirrorRoute</c> step named <paramref name="name"/> adds.</summary>
    public static string RouteName(string name) => RoutePrefix + name;

    /// <summary>Whether <paramref name="route"/> is one a release added (a header or mirror route), not a user's.</summary>
    public static bool IsReleaseRoute(HttpRoute route) => route.Name?.StartsWith(RoutePrefix, StringComparison.Ordinal) == true;

    /// <summary>The release's own routes once <paramref name="step"/> is done: it replaces the route of its name, or removes it.</summary>
    public static ReleaseState After(ReleaseState release, ReleaseRouteStep step) => step switch
    {
        SetHeaderRouteStep header => release with { HeaderRoutes = After(release.HeaderRoutes, header) },
        SetMirrorRouteStep mirror => release with { MirrorRoutes = After(release.MirrorRoutes, mirror) },
        _ => throw new ArgumentOutOfRangeException(nameof(step), step.Type, "not a route step"),
    };

    private static IReadOnlyList<T> After<T>(IReadOnlyList<T> routes, T step) where T : ReleaseRouteStep =>
        [.. routes.Where(r => r.Name != step.Name), .. step.Removes ? [] : new[] { step }];

    /// <summary>
    /// <paramref name="routes"/> with exactly the release routes of <paramref name="steps"/> (header and mirror routes of
    /// <paramref name="service"/>'s release; <see cref="Place"/> says where each goes); the user's routes stay as they were.
    /// </summary>
    public static VirtualService WithReleaseRoutes(VirtualService routes, string service, IEnumerable<ReleaseRouteStep> steps) =>
        Place(routes, StepRoutes(service, steps));

    /// <summary>
    /// The routes of <paramref name="release"/>'s own in force: its session route, when the workflow sets
    /// <c>sessionAffinity</c> (with the canary's answers setting the cookie), then <see cref="ReleaseState.HeaderRoutes"/>
    /// and <see cref="ReleaseState.MirrorRoutes"/>.
    /// </summary>
    public static VirtualService WithReleaseRoutes(VirtualService routes, ReleaseState release)
    {
        var steps = StepRoutes(release.Service, [.. release.HeaderRoutes, .. release.MirrorRoutes]);
        return release.Spec.SessionAffinity is { } session
            ? Place(routes, [SessionRouteOf(release, session), .. steps], SessionHeaders(release, session))
            : Place(routes, steps);
    }

    private static IReadOnlyList<HttpRoute> StepRoutes(string service, IEnumerable<ReleaseRouteStep> steps) =>
        [.. steps.Select(step => step switch
        {
            SetHeaderRouteStep header => HeaderRoute(service, header),
            SetMirrorRouteStep mirror => MirrorRoute(service, mirror),
            _ => throw new ArgumentOutOfRangeException(nameof(steps), step.Type, "not a route step"),
        })];

    /// <summary>
    /// <paramref name="routes"/> with its release routes replaced by <paramref name="releaseRoutes"/>: those with a match
    /// first of all routes, in their order (as given); a mirror route without a match just before
    /// the default route, so it takes what the default route would have taken and nothing a user's route matches. A
    /// mirror route sends where the default route sends, with its weights, timeout and retries, so the requests it
    /// copies are served exactly as before; without a default route it is left out. The default route's canary
    /// destination changes exactly <paramref name="canaryHeaders"/> (the session cookie), and nothing when null.
    /// </summary>
    public static VirtualService Place(VirtualService routes, IReadOnlyList<HttpRoute> releaseRoutes, Headers? canaryHeaders = null)
    {
        var users = routes.Spec.Http.Where(r => !IsReleaseRoute(r)).ToList();
        var defaultIndex = WeightChange.RouteIndex(routes with { Spec = routes.Spec with { Http = users } }, null);
        if (defaultIndex >= 0 && users[defaultIndex].Route.Any(d => d.Destination.Subset == CanarySubset && d.Headers != canaryHeaders))
        {
            users[defaultIndex] = users[defaultIndex] with
            {
                Route = [.. users[defaultIndex].Route.Select(d => d.Destination.Subset == CanarySubset ? d with { Headers = canaryHeaders } : d)],
            };
        }

        var byDefault = defaultIndex < 0 ? null : users[defaultIndex];
        var placed = releaseRoutes
            .Select(r => r.Mirror is null ? r : byDefault is null ? null : byDefault with { Name = r.Name, Match = r.Match, Mirror = r.Mirror, MirrorPercentage = r.MirrorPercentage })
            .OfType<HttpRoute>()
            .ToList();
        var http = placed.Where(r => r.Match.Count > 0).ToList();
        http.AddRange(users.Take(Math.Max(defaultIndex, 0)));
        http.AddRange(placed.Where(r => r.Match.Count == 0));
        http.AddRange(users.Skip(Math.Max(defaultIndex, 0)));
        return routes with { Spec = routes.Spec with { Http = http } };
    }

    /// <summary>
    /// <paramref name="routes"/> with the release routes it holds placed again after a change to its default route (an
    /// operator's forced weights): a mirror route is a copy of the default route, so it takes the new weights too, and a
    /// request it takes is sent where any other would be. Nothing changes for a VirtualService without release routes.
    /// </summary>
    public static VirtualService FollowingTheDefaultRoute(VirtualService routes) =>
        routes.Spec.Http.Any(IsReleaseRoute) ? Place(routes, [.. routes.Spec.Http.Where(IsReleaseRoute)], CanaryHeaders(routes)) : routes;

    /// <summary>What the default route's canary destination changes in headers (a release's session cookie); null when nothing.</summary>
    public static Headers? CanaryHeaders(VirtualService routes) =>
        WeightChange.RouteIndex(routes, null) is var index and >= 0
            ? routes.Spec.Http[index].Route.FirstOrDefault(d => d.Destination.Subset == CanarySubset)?.Headers
            : null;

    /// <summary>The default route sending <paramref name="canaryPercent"/> to canary and the rest to stable, with the release's own routes following it.</summary>
    public static WeightChangeResult WithCanaryWeight(VirtualService routes, ReleaseState release, int canaryPercent)
    {
        var weighted = SetCanaryWeight(routes, canaryPercent);
        return weighted.Updated is { } updated ? weighted with { Updated = WithReleaseRoutes(updated, release) } : weighted;
    }

    /// <summary>Whether the default route splits between the stable and canary subsets (a release prepared it).</summary>
    public static bool IsSplit(VirtualService routes) => WeightChange.Current(routes, null)?.Any(w => w.Subset == CanarySubset) == true;

    /// <summary>Whether a release's routes still send anything to the canary: the default route's split, or a route of its own.</summary>
    public static bool HoldsCanary(VirtualService routes) => IsSplit(routes) || routes.Spec.Http.Any(IsReleaseRoute);

    /// <summary>
    /// Where a release ends: no route of its own, and a split default route all to stable. A default route without the
    /// canary (an admin's forced write) is left as it was written.
    /// </summary>
    public static VirtualService AllToStable(VirtualService routes)
    {
        var users = Place(routes, []);
        return IsSplit(users)
            ? SetCanaryWeight(users, 0).Updated ?? throw new InvalidOperationException($"VirtualService {routes.Name} has no default route to send to stable")
            : users;
    }

    /// <summary>The name (after <see cref="RoutePrefix"/>) of the route that sends a release's sticky callers to its canary.</summary>
    public const string SessionRoute = "session-affinity";

    /// <summary>
    /// The value of <paramref name="release"/>'s session cookie: derived from its id, so every controller, and the same
    /// controller after a restart, writes the same, and a cookie from an earlier release leads nowhere.
    /// </summary>
    public static string SessionCookieValue(ReleaseState release) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(release.Id)))[..16];

    /// <summary>Requests carrying the release's session cookie go to the canary.</summary>
    private static HttpRoute SessionRouteOf(ReleaseState release, SessionAffinity session) =>
        HeaderRoute(release.Service, new SetHeaderRouteStep(SessionRoute, [new HeaderRouteMatch(session.CookieName, new StringMatch(StringMatchKind.Exact, SessionCookieValue(release)), Cookie: true)]));

    /// <summary>The canary's answers set the session cookie (added beside any cookie the service sets itself).</summary>
    private static Headers SessionHeaders(ReleaseState release, SessionAffinity session) => new()
    {
        Response = new HeaderOperations
        {
            Add = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["set-cookie"] = $"{session.CookieName}={SessionCookieValue(release)}; Max-Age={(long)session.MaxAge.Value.TotalSeconds}; Path=/",
            },
        },
    };

    private static HttpRoute HeaderRoute(string service, SetHeaderRouteStep step) => new()
    {
        Name = RouteName(step.Name),
        Match = [new HttpMatchRequest { Headers = new SortedDictionary<string, StringMatch>(step.Match.ToDictionary(m => m.Cookie ? "cookie" : m.Name, CookieOrHeader), StringComparer.Ordinal) }],
        Route = [Canary(service)],
    };

    /// <summary>A mirror route before <see cref="Place"/> gives it the default route's destinations.</summary>
    private static HttpRoute MirrorRoute(string service, SetMirrorRouteStep step) => new()
    {
        Name = RouteName(step.Name),
        Match = step.Match,
        Route = [],
        Mirror = Canary(service).Destination,
        MirrorPercentage = step.Percentage,
    };

    private static HttpRouteDestination Canary(string service) => new() { Destination = new Destination { Host = service, Subset = CanarySubset } };

    /// <summary>A header's condition as it is; a cookie's as a condition on the <c>cookie</c> header, which holds every cookie as NAME=VALUE, separated by "; ".</summary>
    private static StringMatch CookieOrHeader(HeaderRouteMatch match)
    {
        if (!match.Cookie)
        {
            return match.Value;
        }

        var value = match.Value.Kind switch
        {
            StringMatchKind.Exact => Re2Escape(match.Value.Value),
            StringMatchKind.Prefix => Re2Escape(match.Value.Value) + "[^;]*",
            _ => $"(?:{match.Value.Value})",
        };
        return new StringMatch(StringMatchKind.Regex, $"^(?:.*;\\s*)?{Re2Escape(match.Name)}={value}(?:;.*)?$");
    }

    /// <summary><paramref name="text"/> as an RE2 pattern that matches exactly it: every metacharacter escaped.</summary>
    public static string Re2Escape(string text) =>
        string.Concat(text.Select(c => "\\.+*?()|[]{}^$".Contains(c) ? $"\\{c}" : c.ToString()));

    private static Subset Subset(string name, string version) =>
        new() { Name = name, Labels = new Dictionary<string, string> { ["version"] = version } };
}
