using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Core;
using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Security;

namespace LightMesh.Demo;

/// <summary>
/// What the demo writes to its etcd before anything runs: this machine as a Node, the demo Service (deployed by
/// LightMesh from the local image), routes sending everything to v1, and the fast form of the workflow it releases with
/// (<c>workflows/canary.yaml</c>, or <c>blue-green.yaml</c>) with the demo's own analysis templates.
/// </summary>
public static class DemoDocuments
{
    public const string Service = "demo";
    public const string Node = "demo-host";

    /// <summary>The workflow each of the demo's strategies releases with: a file of <c>workflows/</c>, and the name of its fast form.</summary>
    public static (string File, string Name) Workflow(DemoStrategy strategy) => strategy switch
    {
        DemoStrategy.BlueGreen => ("blue-green.yaml", "blue-green-fast"),
        _ => ("canary.yaml", "canary-fast"),
    };

    /// <summary>The workflows judge the new version by Envoy's statistics; the demo runs no Envoy, so by its own metrics.</summary>
    public static readonly IReadOnlyDictionary<string, string> TemplateSwap = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["envoy-error-rate"] = "demo-error-rate",
        ["envoy-latency-p99"] = "demo-latency-p99",
    };

    /// <summary>
    /// The Node, and the Service <see cref="Service"/> on <paramref name="port"/> (the canary's replicas take port + 100)
    /// with its routes. The demo's client shows <paramref name="proxyToken"/>, the Node's token, to the control plane.
    /// </summary>
    public static string Mesh(int port, string image, string dockerEndpoint, string proxyToken) =>
        Mesh([Service], port, image, dockerEndpoint, proxyToken);

    /// <summary>
    /// The Node, and each of <paramref name="services"/> as a Service deployed from <paramref name="image"/> with v1
    /// stable, the n-th on <paramref name="port"/> + n (its canary's replicas 100 higher), with routes sending everything
    /// to v1. The demo's client shows <paramref name="proxyToken"/>, the Node's token, to the control plane.
    /// </summary>
    public static string Mesh(IReadOnlyList<string> services, int port, string image, string dockerEndpoint, string proxyToken)
    {
        var node = $$"""
            apiVersion: lightmesh.io/v1
            kind: Node
            metadata: {name: {{Node}}}
            spec:
              address: 127.0.0.1
              dockerEndpoint: {{dockerEndpoint}}
              proxyToken: {sha256: {{TokenHash.HexOf(proxyToken)}}}
            """;
        return string.Join("\n---\n", [node, .. services.Select((service, n) => MeshService(service, port + n, image))]);
    }

    private static string MeshService(string service, int port, string image) => string.Create(CultureInfo.InvariantCulture, $$"""
        apiVersion: lightmesh.io/v1
        kind: Service
        metadata: {name: {{service}}}
        spec:
          protocol: grpc
          port: {{port}}
          owner: lightmesh-demo
          deploy:
            image: {{image}}
            versions: {stable: v1}
            replicas: 1
            env: {BIND_ADDRESS: 127.0.0.1}
            stopGracePeriod: 5s
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: {{service}}}
        spec:
          host: {{service}}
          subsets:
          - name: stable
            labels: {version: v1}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: {{service}}}
        spec:
          hosts: [{{service}}]
          http:
          - route:
            - destination: {host: {{service}}, subset: stable}
              weight: 100
        """);

    /// <summary>
    /// The fast form of the workflow in <paramref name="workflowYaml"/> (read from <paramref name="source"/>, named
    /// <paramref name="name"/>) and of the templates in <paramref name="templatesYaml"/>, every duration divided by
    /// <paramref name="factor"/>, as YAML documents.
    /// </summary>
    public static string FastWorkflow(string workflowYaml, string source, string name, string templatesYaml, int factor)
    {
        var workflow = Read(workflowYaml, source).OfType<ReleaseWorkflow>().Single();
        var templates = Read(templatesYaml, "workflows/analysis/demo.yaml").OfType<AnalysisTemplate>();
        var fast = new List<Document> { FastForm.Of(workflow, name, factor, TemplateSwap) };
        fast.AddRange(templates.Select(t => FastForm.Of(t, factor)));
        return YamlText.Write(fast.Select(d => (JsonNode)DocumentCodec.Write(d)).ToList());
    }

    /// <summary>
    /// The group release workflow in <paramref name="groupYaml"/> (read from <paramref name="source"/>) with every member
    /// released by <paramref name="workflow"/> (the demo's fast workflow) and the demo's templates in its analysis.
    /// </summary>
    public static ReleaseGroupWorkflow Group(string groupYaml, string source, string workflow) =>
        FastForm.Of(Read(groupYaml, source).OfType<ReleaseGroupWorkflow>().Single(), workflow, TemplateSwap);

    /// <summary><paramref name="document"/> as a YAML document, as <c>lightmesh apply</c> takes it.</summary>
    public static string Yaml(Document document) => YamlText.Write([(JsonNode)DocumentCodec.Write(document)]);

    private static List<Document> Read(string text, string source)
    {
        var parsed = DocumentParser.Parse(text, source);
        return parsed.IsValid
            ? parsed.Documents.Select(d => d.Document).ToList()
            : throw new InvalidInputException($"{source}: {string.Join("; ", parsed.Errors)}");
    }
}
