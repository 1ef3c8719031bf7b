using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;
using LightMesh.Testing;
using static LightMesh.Core.Tests.Releases.ReleaseRouteDocuments;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// <c>sessionAffinity</c>: how it is read and written, the routes a release of it writes (the canary's answers set the
/// cookie; a route of its own sends the cookie's holders to the canary), that both follow every weight and are gone at
/// the end, and what a user's write may do to them.
/// </summary>
public sealed class SessionAffinityTests
{
    private const string Document = """
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: sticky}
        spec:
          sessionAffinity: {cookieName: lm-canary, maxAge: 6h}
          steps:
          - deploy: {}
          - setMirrorRoute: {name: everything, percentage: 10}
          - setWeight: 10
          - promote: {}
        """;

    private static readonly ReleaseWorkflowSpec Spec = ((ReleaseWorkflow)Parsed(Document)[0]).Spec;

    /// <summary>The user's routes: a debug route, then the default route, split 90/10.</summary>
    private static VirtualService UserRoutes() => (VirtualService)Parsed(TestMeshes.VirtualService("checkout",
        [TestMeshes.Match("checkout", "stable", header: "x-debug", value: "1", name: "debug"), TestMeshes.Split("checkout", ("stable", 90), ("canary", 10))]))[0];

    private static ReleaseState Release(string id = "checkout-v2-1", params ReleaseRouteStep[] routes) =>
        routes.Aggregate(ReleaseDecider.Start(id, "checkout", "v2", "v1", "sticky", Spec, "ci", DateTimeOffset.UnixEpoch).State, ReleaseTraffic.After);

    private static readonly SetMirrorRouteStep Everything = (SetMirrorRouteStep)Spec.Steps[1];

    [Fact]
    public void Parse_CookieAndMaxAge_ADayWhenUnset_AndWriteReadsBackTheSame()
    {
        Assert.Equal(("lm-canary", TimeSpan.FromHours(6)), (Spec.SessionAffinity!.CookieName, Spec.SessionAffinity.MaxAge.Value));
        var written = DocumentCodec.Write(new ReleaseWorkflow { ApiVersion = "lightmesh.io/v1", Metadata = new ObjectMeta { Name = "w" }, Spec = Spec });
        Assert.Equal(Spec.SessionAffinity, ((ReleaseWorkflow)Parsed(YamlText.Write([written]))[0]).Spec.SessionAffinity);

        var unset = Workflow("      - deploy: {}\n").SessionAffinity;
        Assert.Null(unset);
        var dayLong = ((ReleaseWorkflow)Parsed(Document.Replace(", maxAge: 6h", "", StringComparison.Ordinal))[0]).Spec.SessionAffinity;
        Assert.Equal(TimeSpan.FromDays(1), dayLong!.MaxAge.Value);
    }

    [Fact]
    public void WithCanaryWeight_TheCanarySetsTheCookie_ItsHoldersGoToTheCanaryFirst_AndTheEndTakesBothAway()
    {
        var user = UserRoutes();
        var release = Release();

        var routes = ReleaseTraffic.WithCanaryWeight(user, release, 10).Updated!;

        Assert.Equal(["lightmesh-release-session-affinity", "debug", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.Same(user.Spec.Http[0], routes.Spec.Http[1]);
        var value = ReleaseTraffic.SessionCookieValue(release);
        Assert.Matches("^[0-9a-f]{16}$", value);
        var session = routes.Spec.Http[0];
        Assert.Equal("canary", session.Route.Single().Destination.Subset);
        var cookie = session.Match.Single().Headers["cookie"];
        Assert.Equal(StringMatchKind.Regex, cookie.Kind);
        foreach (var (header, matches) in new[]
                 {
                     ($"lm-canary={value}", true), ($"theme=dark; lm-canary={value}; lang=en", true), ($"lm-canary={value}0", false),
                     ($"xlm-canary={value}", false), ("lm-canary=0000000000000000", false), ("theme=dark", false),
                 })
        {
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(header, cookie.Value) == matches, header);
        }

        var primary = routes.Spec.Http[2];
        Assert.Equal([("stable", 90, (Headers?)null), ("canary", 10, ReleaseTraffic.CanaryHeaders(routes))], primary.Route.Select(d => (d.Destination.Subset!, d.Weight ?? 0, d.Headers)));
        Assert.Equal($"lm-canary={value}; Max-Age=21600; Path=/", ReleaseTraffic.CanaryHeaders(routes)!.Response!.Add["set-cookie"]);
        Assert.Empty(ReleaseTraffic.CanaryHeaders(routes)!.Response!.Set);
        AssertValid(routes);

        // The next weight keeps both; the end takes both away, leaving the user's routes as they were.
        var next = ReleaseTraffic.WithCanaryWeight(routes, release, 50).Updated!;
        Assert.Equal(routes.Spec.Http.Select(r => r.Name), next.Spec.Http.Select(r => r.Name));
        Assert.Equal(ReleaseTraffic.CanaryHeaders(routes), ReleaseTraffic.CanaryHeaders(next));
        var ended = ReleaseTraffic.AllToStable(next);
        Assert.Equal(["debug", "primary"], ended.Spec.Http.Select(r => r.Name));
        Assert.Same(user.Spec.Http[0], ended.Spec.Http[0]);
        Assert.Null(ReleaseTraffic.CanaryHeaders(ended));
        Assert.Equal([new SubsetWeight("stable", 100), new SubsetWeight("canary", 0)], WeightChange.Current(ended, null));
    }

    [Fact]
    public void SessionCookieValue_IsTheSameForARelease_AndDiffersBetweenReleases()
    {
        Assert.Equal(ReleaseTraffic.SessionCookieValue(Release("a")), ReleaseTraffic.SessionCookieValue(Release("a")));
        Assert.NotEqual(ReleaseTraffic.SessionCookieValue(Release("a")), ReleaseTraffic.SessionCookieValue(Release("b")));
    }

    [Fact]
    public void WithReleaseRoutes_AMirrorRouteCopiesTheCanaryCookieWithTheDefaultRoute()
    {
        var routes = ReleaseTraffic.WithReleaseRoutes(UserRoutes(), Release(routes: Everything));

        Assert.Equal(["lightmesh-release-session-affinity", "debug", "lightmesh-release-everything", "primary"], routes.Spec.Http.Select(r => r.Name));
        Assert.Equal(routes.Spec.Http[3].Route, routes.Spec.Http[2].Route);
        Assert.NotNull(routes.Spec.Http[2].Route.Single(d => d.Destination.Subset == "canary").Headers);
    }

    [Fact]
    public void UsersApply_LeavingTheCookieOut_GetsItBack_WritingAnotherIsAConflict()
    {
        var user = UserRoutes();
        var stored = ReleaseTraffic.WithCanaryWeight(user, Release(), 10).Updated!;
        var active = new ActiveRelease("checkout", "checkout-v2-1");

        var kept = ManagedRoutes.CheckApply([new SourcedDocument(user, "user.yaml")], [stored], [active]);
        Assert.Empty(kept.Conflicts);
        var written = (VirtualService)kept.Documents[0].Document;
        Assert.Equal(stored.Spec.Http.Select(r => r.Name), written.Spec.Http.Select(r => r.Name));
        Assert.Equal(ReleaseTraffic.CanaryHeaders(stored), ReleaseTraffic.CanaryHeaders(written));

        // Written back as stored: no conflict, and nothing changes.
        var again = ManagedRoutes.CheckApply([new SourcedDocument(stored, "user.yaml")], [stored], [active]);
        Assert.Empty(again.Conflicts);
        Assert.Equal(ReleaseTraffic.CanaryHeaders(stored), ReleaseTraffic.CanaryHeaders((VirtualService)again.Documents[0].Document));

        var otherCookie = new Headers { Response = new HeaderOperations { Add = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["set-cookie"] = "lm-canary=mine" } } };
        var changed = ReleaseTraffic.Place(stored, stored.Spec.Http.Where(ReleaseTraffic.IsReleaseRoute).ToList(), otherCookie);
        var conflict = Assert.Single(ManagedRoutes.CheckApply([new SourcedDocument(changed, "user.yaml")], [stored], [active]).Conflicts);
        Assert.Equal(("checkout-v2-1", "spec.http[2].route[canary].headers"), (conflict.ReleaseId, conflict.Path));
    }

    [Fact]
    public void VirtualService_DestinationHeaders_ReadAndWriteBackTheSame()
    {
        var yaml = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: checkout}
            spec:
              hosts: [checkout]
              http:
              - route:
                - destination: {host: checkout, subset: stable}
                  headers:
                    request: {set: {x-version: v1}, add: {x-trace: 'on'}, remove: [x-debug]}
                    response: {add: {set-cookie: 'a=b; Path=/'}, remove: [server]}
            """;
        var routes = (VirtualService)Parsed(yaml)[0];

        var headers = routes.Spec.Http[0].Route[0].Headers!;
        Assert.Equal("v1", headers.Request!.Set["x-version"]);
        Assert.Equal("on", headers.Request.Add["x-trace"]);
        Assert.Equal(["x-debug"], headers.Request.Remove);
        Assert.Equal("a=b; Path=/", headers.Response!.Add["set-cookie"]);
        Assert.Equal(["server"], headers.Response.Remove);

        var again = (VirtualService)Parsed(YamlText.Write([DocumentCodec.Write(routes)]))[0];
        Assert.Equal(headers, again.Spec.Http[0].Route[0].Headers);
    }
}
