using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;

namespace LightMesh.Testing;

/// <summary>
/// The meshes tests write, as a user writes them: a Service, a DestinationRule with subsets, a VirtualService, and the
/// ReleaseWorkflow and AnalysisTemplates a release follows, each from the few things tests vary (names, port, subsets,
/// weights, hosts).
/// </summary>
public static class TestMeshes
{
    /// <summary>Documents as one YAML stream, as in one file.</summary>
    public static string Join(params string[] documents) => string.Join("\n---\n", documents);

    /// <summary>The documents of <paramref name="documents"/> joined, parsed as the file test.yaml; the test fails on any error.</summary>
    public static List<SourcedDocument> Parse(params string[] documents)
    {
        var result = DocumentParser.Parse(Join(documents), "test.yaml");
        Assert.Empty(result.Errors);
        return [.. result.Documents];
    }

    /// <summary>A Service; with an <paramref name="image"/>, one LightMesh deploys, <paramref name="stable"/> its stable version.</summary>
    public static string Service(string name = "checkout", int port = 8080, string protocol = "http", string? image = null, string stable = "v1") => $$"""
        apiVersion: lightmesh.io/v1
        kind: Service
        metadata: {name: {{name}}}
        spec: {protocol: {{protocol}}, port: {{port}}{{(image is null ? "" : $", deploy: {{image: {image}, versions: {{stable: {stable}}}}}")}}}
        """;

    /// <summary>A DestinationRule for <paramref name="host"/> (named after it unless <paramref name="name"/> is given) with these subsets, in order.</summary>
    /// <param name="loadBalancer">Its traffic policy's load balancer (RANDOM, LEAST_REQUEST...); none when null.</param>
    public static string Rule(string host, IReadOnlyList<Subset> subsets, string? loadBalancer = null, string? name = null) => $$"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: {{name ?? host}}}
        spec:
          host: {{host}}
        {{(loadBalancer is null ? "" : $"  trafficPolicy: {{loadBalancer: {{simple: {loadBalancer}}}}}\n")}}  subsets:
        {{string.Join("\n", subsets.Select(s => $"  - {{name: {s.Name}, labels: {{{s.Label}: {s.Value}}}}}"))}}
        """;

    /// <summary>A VirtualService for <paramref name="host"/> (named after it unless <paramref name="name"/> is given) with these HTTP routes, in order.</summary>
    /// <param name="http">Each route as one line of flow YAML: <see cref="To"/>, <see cref="Split"/>, <see cref="Match"/>, or a test's own.</param>
    public static string VirtualService(string host, IReadOnlyList<string> http, string? name = null) => $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: {{name ?? host}}}
        spec:
          hosts: [{{host}}]
          http:
        {{string.Join("\n", http.Select(route => $"  - {route}"))}}
        """;

    /// <summary>A VirtualService for <paramref name="host"/> whose one route, primary, sends every call to <paramref name="subset"/>.</summary>
    public static string DefaultRoute(string host, string subset) => VirtualService(host, [To(host, subset)]);

    /// <summary>
    /// The VirtualService of a canary between v1 and v2: canary testers (header <c>x-canary: "true"</c>) go to v2, and
    /// everyone else is split by the primary route's weights.
    /// </summary>
    public static string CanaryRoutes(string host, int v1, int v2) => VirtualService(host, [Match(host, "v2"), Split(host, ("v1", v1), ("v2", v2))]);

    /// <summary>An HTTP route sending every call to <paramref name="subset"/> of <paramref name="host"/> (to the host itself when null), on <paramref name="port"/> if given.</summary>
    public static string To(string host, string? subset = null, string? name = "primary", int? port = null) =>
        Route(name, null, [Destination(host, subset, port)]);

    /// <summary>The primary HTTP route, splitting calls between subsets of <paramref name="host"/> by weight.</summary>
    public static string Split(string host, params (string Subset, int Weight)[] weights) =>
        Route("primary", null, [.. weights.Select(w => $"{Destination(host, w.Subset, null)}, weight: {w.Weight}")]);

    /// <summary>An HTTP route sending the calls whose <paramref name="header"/> is exactly <paramref name="value"/> to <paramref name="subset"/>.</summary>
    public static string Match(string host, string subset, string header = "x-canary", string value = "true", string name = "canary-testers") =>
        Route(name, $"[{{headers: {{{header}: {{exact: \"{value}\"}}}}}}]", [Destination(host, subset, null)]);

    /// <summary>
    /// A ReleaseWorkflow of these steps (lines of YAML indented two spaces, e.g. <c>"  - deploy: {}"</c>) and, if given,
    /// these spec settings before them (indented two spaces too, e.g. <c>"  progressDeadline: 5s"</c>).
    /// </summary>
    public static string Workflow(string name, string steps, string? settings = null) => $$"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseWorkflow
        metadata: {name: {{name}}}
        spec:
        {{(settings is null ? "" : settings.TrimEnd('\n') + "\n")}}  steps:
        {{steps.TrimEnd('\n')}}
        """;

    /// <summary>
    /// The ReleaseGroupWorkflow <paramref name="name"/>: <paramref name="first"/> with workflow <c>{first}-flow</c>, then
    /// <paramref name="second"/> with <c>{second}-flow</c> once the first passes the gate.
    /// </summary>
    public static string PairGroup(string first, string second, string name = "pair") => $$"""
        apiVersion: lightmesh.io/v1
        kind: ReleaseGroupWorkflow
        metadata: {name: {{name}}}
        spec:
          members:
          - {service: {{first}}, workflow: {{first}}-flow}
          - {service: {{second}}, workflow: {{second}}-flow, after: [{{first}}]}
        """;

    /// <summary>
    /// An AnalysisTemplate declaring the argument <c>max-error-rate</c> (0.05 unless given), whose one metric, errors,
    /// passes while the canary's errors stay under it.
    /// </summary>
    public static string ErrorsTemplate(string name) => $$$"""
        apiVersion: lightmesh.io/v1
        kind: AnalysisTemplate
        metadata: {name: {{{name}}}}
        spec:
          args:
          - {name: max-error-rate, value: "0.05"}
          metrics:
          - name: errors
            provider: {prometheus: {query: 'errors{version="{{canary}}"}'}}
            successCondition: result < {{max-error-rate}}
        """;

    /// <summary>An AnalysisTemplate declaring the argument <c>region</c> (us unless given), whose one metric reads <c>up</c> in it.</summary>
    public static string RegionTemplate(string name) => $$$"""
        apiVersion: lightmesh.io/v1
        kind: AnalysisTemplate
        metadata: {name: {{{name}}}}
        spec:
          args:
          - {name: region, value: us}
          metrics:
          - name: up
            provider: {prometheus: {query: 'up{region="{{region}}"}'}}
        """;

    /// <summary>One destination of a route, without its braces: <c>destination: {host: checkout, subset: v1}</c>.</summary>
    private static string Destination(string host, string? subset, int? port) =>
        $"destination: {{host: {host}{(subset is null ? "" : $", subset: {subset}")}{(port is null ? "" : $", port: {{number: {port}}}")}}}";

    private static string Route(string? name, string? match, IReadOnlyList<string> destinations) =>
        $"{{{(name is null ? "" : $"name: {name}, ")}{(match is null ? "" : $"match: {match}, ")}route: [{string.Join(", ", destinations.Select(d => $"{{{d}}}"))}]}}";

    /// <summary>A subset of a DestinationRule: its name, and the value of the label (<c>version</c> unless said) that selects its instances.</summary>
    public sealed record Subset(string Name, string Value, string Label = "version")
    {
        /// <summary>The subset named after the version it selects, as most rules name them.</summary>
        public static implicit operator Subset(string version) => new(version, version);
    }
}
