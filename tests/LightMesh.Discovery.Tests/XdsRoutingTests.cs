using System.Net.Http.Headers;
using LightMesh.Discovery.Balancing;
using LightMesh.Discovery.Xds.Resources;
using LightMesh.Discovery.Xds.Routing;

namespace LightMesh.Discovery.Tests;

/// <summary>How the xds:/// client matches a call to a route and a cluster, as gRPC's xDS clients do.</summary>
public sealed class XdsRoutingTests
{
    private static readonly Func<uint> NeverRolled = () => throw new InvalidOperationException("no fraction to roll for");

    [Theory]
    [InlineData("Prefix", "/shop.Checkout/", true, "/shop.Checkout/Pay", true)]
    [InlineData("Prefix", "/shop.checkout/", true, "/shop.Checkout/Pay", false)]
    [InlineData("Prefix", "/shop.checkout/", false, "/shop.Checkout/Pay", true)]
    [InlineData("Exact", "/shop.Checkout/Pay", true, "/shop.Checkout/PayLater", false)]
    [InlineData("Regex", "/shop\\.Checkout/P.y", true, "/shop.Checkout/Pay", true)]
    [InlineData("Regex", "/shop\\.Checkout/P", true, "/shop.Checkout/Pay", false)]
    [InlineData("Regex", "/shop\\.checkout/.*", false, "/shop.Checkout/Pay", true)]
    public void Matches_Path_AsTheRouteSays(string how, string value, bool caseSensitive, string path, bool expected)
    {
        var kind = Enum.Parse<PathMatchKind>(how);
        var regex = kind == PathMatchKind.Regex ? ResourceDecoder.Compile(value, !caseSensitive, "test", []) : null;

        Assert.Equal(expected, new PathMatcher(kind, value, caseSensitive, regex).Matches(path));
    }

    [Fact]
    public void Matches_HeaderTheCallDoesNotCarry_OnlyAPresenceCheckCanMatchIt()
    {
        Assert.False(new HeaderRule("x-a", HeaderMatchKind.Exact, "1").Matches(null));
        Assert.False(new HeaderRule("x-a", HeaderMatchKind.Exact, "1", Invert: true).Matches(null));
        Assert.True(new HeaderRule("x-a", HeaderMatchKind.Present) { MustBePresent = false }.Matches(null));
        Assert.True(new HeaderRule("x-a", HeaderMatchKind.Present, Invert: true).Matches(null));
        Assert.False(new HeaderRule("x-a", HeaderMatchKind.Present, Invert: true).Matches("1"));
    }

    [Theory]
    [InlineData("Exact", "Canary", true, "canary", true)]
    [InlineData("Exact", "Canary", false, "canary", false)]
    [InlineData("Prefix", "test-", false, "test-user", true)]
    [InlineData("Suffix", "-eu", false, "zone-eu", true)]
    [InlineData("Contains", "beta", false, "a,beta,c", true)]
    public void Matches_HeaderValue_AsTheMatcherSays(string how, string value, bool ignoreCase, string header, bool expected)
    {
        var kind = Enum.Parse<HeaderMatchKind>(how);
        Assert.Equal(expected, new HeaderRule("x-a", kind, value, ignoreCase).Matches(header));
        Assert.Equal(!expected, new HeaderRule("x-a", kind, value, ignoreCase, Invert: true).Matches(header));
    }

    [Theory]
    [InlineData("9", false)]
    [InlineData("10", true)]
    [InlineData("19", true)]
    [InlineData("20", false)]
    [InlineData("ten", false)]
    public void Matches_HeaderRange_StartInclusiveEndExclusive(string header, bool expected) =>
        Assert.Equal(expected, new HeaderRule("x-n", HeaderMatchKind.Range) { RangeStart = 10, RangeEnd = 20 }.Matches(header));

    [Fact]
    public void Header_AsRoutingSeesIt_JoinsValuesAndHidesBinaryAndGrpcHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://loadbalancer.temporary.invalid/shop.Checkout/Pay");
        request.Headers.TryAddWithoutValidation("x-tags", ["a", "b"]);
        request.Headers.TryAddWithoutValidation("x-trace-bin", "AAEC");
        request.Headers.TryAddWithoutValidation("grpc-timeout", "5S");
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        Assert.Equal("a,b", XdsPicker.Header(request, "x-tags"));
        Assert.Null(XdsPicker.Header(request, "x-trace-bin"));
        Assert.Null(XdsPicker.Header(request, "grpc-timeout"));
        Assert.Null(XdsPicker.Header(request, "x-absent"));
        Assert.Equal("application/grpc", XdsPicker.Header(request, "content-type"));
    }

    [Fact]
    public void Matches_Route_NeedsThePathAndEveryHeaderAndRollsForItsFractionLast()
    {
        var route = new RouteRule("canary", new PathMatcher(PathMatchKind.Prefix, "/", true), [new HeaderRule("x-canary", HeaderMatchKind.Exact, "true")], [new RouteCluster("v2", 1)], MatchPerMillion: 250_000);
        var headers = new Dictionary<string, string> { ["x-canary"] = "true" };

        Assert.False(route.Matches("/a/b", _ => null, NeverRolled));
        Assert.True(route.Matches("/a/b", headers.GetValueOrDefault, () => 249_999));
        Assert.False(route.Matches("/a/b", headers.GetValueOrDefault, () => 250_000));
    }

    [Fact]
    public void PickCluster_ByWeight_GivesEachClusterItsShareOfTheRolls()
    {
        var route = new RouteRule("primary", new PathMatcher(PathMatchKind.Prefix, "/", true), [], [new RouteCluster("v1", 90), new RouteCluster("v3", 0), new RouteCluster("v2", 10)]);

        var picks = Enumerable.Range(0, (int)route.TotalWeight).Select(roll => route.PickCluster((ulong)roll)).CountBy(c => c).ToDictionary();

        Assert.Equal(100UL, route.TotalWeight);
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 90, ["v2"] = 10 }, picks);
    }

    [Fact]
    public void Select_VirtualHost_ExactThenLongestSuffixThenLongestPrefixThenAny()
    {
        VirtualHostRoutes Host(string name, params string[] domains) => new(name, domains, []);
        var any = Host("any", "*");
        var prefix = Host("prefix", "check*");
        var longerPrefix = Host("longer-prefix", "checkout:*");
        var suffix = Host("suffix", "*:8080");
        var exact = Host("exact", "checkout", "CHECKOUT:8080");

        Assert.Equal("exact", VirtualHostRoutes.Select([any, prefix, suffix, exact], "checkout:8080")?.Name);
        Assert.Equal("suffix", VirtualHostRoutes.Select([any, longerPrefix, suffix], "checkout:8080")?.Name);
        Assert.Equal("longer-prefix", VirtualHostRoutes.Select([any, prefix, longerPrefix], "checkout:8080")?.Name);
        Assert.Equal("any", VirtualHostRoutes.Select([any, Host("inner", "check*out")], "checkout:8080")?.Name);
        Assert.Null(VirtualHostRoutes.Select([Host("other", "payments:9090")], "checkout:8080"));
    }
}
