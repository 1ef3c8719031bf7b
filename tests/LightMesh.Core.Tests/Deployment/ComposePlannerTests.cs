using LightMesh.Core.Deployment;
using LightMesh.Core.Mesh;
using LightMesh.Core.Parsing;

namespace LightMesh.Core.Tests.Deployment;

/// <summary>
/// Golden files: the exact compose YAML the planner writes. To accept a deliberate change, run the tests with
/// LIGHTMESH_UPDATE_GOLDEN=1 and review the diff of Deployment/golden/ before committing it.
/// </summary>
public sealed class ComposePlannerTests
{
    private const string Etcd = "http://127.0.0.1:2379";
    private const string Bootstrap = """{"node":{"id":"node-1"}}""";

    private const string Nodes = """
        apiVersion: lightmesh.io/v1
        kind: Node
        metadata: {name: node-1}
        spec:
          address: 10.0.0.1
          labels: {zone: a, disk: ssd}
        ---
        apiVersion: lightmesh.io/v1
        kind: Node
        metadata: {name: node-2}
        spec:
          address: 10.0.0.2
          labels: {zone: b}
          sidecar: {image: envoyproxy/envoy:v1.31.0, adminPort: 15000}
        """;

    private static string Service(string name, int port, string extra = "") => $$"""
        apiVersion: lightmesh.io/v1
        kind: Service
        metadata: {name: {{name}}}
        spec:
          protocol: http
          port: {{port}}
          deploy:
            image: registry.local/{{name}}
            versions: {stable: v1}
        {{extra}}
        """;

    private const string Checkout = """
        apiVersion: lightmesh.io/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          protocol: http
          port: 8080
          deploy:
            image: registry.local/checkout
            versions: {stable: v1}
            env: {LOG_LEVEL: info}
            command: [/bin/serve, --fast]
            healthcheck:
              test: [CMD-SHELL, "wget -q -O- http://127.0.0.1:$PORT/"]
              interval: 5s
              timeout: 2s
              retries: 3
              startPeriod: 1500ms
            resources: {cpus: 0.5, memory: 128m}
            stopGracePeriod: 20s
        """;

    private static (List<MeshNode> Nodes, List<MeshService> Services) Parse(params string[] yaml)
    {
        var result = DocumentParser.Parse(string.Join("\n---\n", yaml), "plan.yaml");
        Assert.Empty(result.Errors);
        var documents = result.Documents.Select(d => d.Document).ToList();
        return (documents.OfType<MeshNode>().ToList(), documents.OfType<MeshService>().ToList());
    }

    private static NodePlan Plan(string node, IReadOnlyList<CanaryDeployment> canaries, params string[] yaml)
    {
        var (nodes, services) = Parse([Nodes, .. yaml]);
        var result = ComposePlanner.Plan(nodes.Single(n => n.Name == node), services, canaries, Etcd, Bootstrap);
        Assert.Empty(result.Errors);
        return result.Plan!;
    }

    private static void AssertGolden(string name, NodePlan plan)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Deployment", "golden", name);
        if (Environment.GetEnvironmentVariable("LIGHTMESH_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Deployment", "golden", name);
            File.WriteAllText(source, plan.Yaml);
            return;
        }

        Assert.Equal(File.ReadAllText(path), plan.Yaml);
    }

    [Fact]
    public void Plan_OneVersion_MatchesGolden() =>
        AssertGolden("one-version.yaml", Plan("node-1", [], Checkout));

    [Fact]
    public void Plan_PromotedCanary_RunsBesideTheNewStableReplicasUnderItsOwnNames()
    {
        var promoted = Checkout.Replace("versions: {stable: v1}", "versions: {stable: v2}", StringComparison.Ordinal);
        Assert.NotEqual(Checkout, promoted);

        var plan = Plan("node-1", [new CanaryDeployment("checkout", "v2", 1, "rel-42", Promoted: true)], promoted);

        Assert.Equal([("checkout-v2-1", 8080), ("checkout-v2-canary-1", 8180)], plan.Containers.Where(c => c.Service == "checkout").Select(c => (c.ComposeService, c.Port)));
        var (nodes, services) = Parse([Nodes, promoted]);
        var unpromoted = ComposePlanner.Plan(nodes[0], services, [new CanaryDeployment("checkout", "v2", 1, "rel-42")], Etcd, Bootstrap);
        Assert.Equal("checkout: canary version v2 is already the stable version", Assert.Single(unpromoted.Errors));
    }

    [Fact]
    public void Plan_StableAndCanary_MatchesGolden()
    {
        var plan = Plan("node-1", [new CanaryDeployment("checkout", "v2", 1, "rel-42")], Checkout);

        AssertGolden("stable-and-canary.yaml", plan);
        Assert.Equal(8180, plan.Containers.Single(c => c.Version == "v2").Port);
        Assert.Equal("rel-42", plan.Containers.Single(c => c.Version == "v2").Labels["io.lightmesh.release"]);
        Assert.Equal("wget -q -O- http://127.0.0.1:$PORT/", plan.Containers[0].Healthcheck!.Test[1]);
        Assert.Contains("http://127.0.0.1:$$PORT/", plan.Yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_PlacementByLabel_MatchesGolden()
    {
        var ssd = Service("search", 9200, "    placement: {nodeSelector: {disk: ssd}}");

        AssertGolden("placement-by-label.yaml", Plan("node-1", [], ssd, Checkout));
        Assert.DoesNotContain(Plan("node-2", [], ssd).Containers, c => c.Service == "search");
    }

    [Fact]
    public void Plan_SeveralReplicasAndASidecar_MatchesGolden()
    {
        var plan = Plan("node-2", [], Service("payments", 9090, "    replicas: 3"));

        AssertGolden("replicas-and-sidecar.yaml", plan);
        Assert.Equal([9090, 9091, 9092], plan.Containers.Where(c => c.Service == "payments").Select(c => c.Port));
        Assert.Equal("127.0.0.1:15001", plan.Containers[0].Env["LIGHTMESH_PROXY"]);
    }

    [Fact]
    public void Plan_ServiceLeavesTheNode_MatchesGoldenAndKeepsTheOthersIdentical()
    {
        var before = Plan("node-1", [], Checkout, Service("search", 9200));
        var after = Plan("node-1", [], Checkout, Service("search", 9200, "    placement: {nodes: [node-2]}"));

        AssertGolden("service-left.yaml", after);
        Assert.Equal(["checkout-v1-1"], after.Containers.Select(c => c.ComposeService));
        Assert.Equal(before.Containers.Single(c => c.Service == "checkout").ConfigHash, after.Containers.Single().ConfigHash);
        Assert.NotEqual(before.Revision, after.Revision);
    }

    [Fact]
    public void Plan_SameInput_GivesByteIdenticalYamlAndRevision()
    {
        var first = Plan("node-1", [new CanaryDeployment("checkout", "v2", 2, null)], Checkout, Service("search", 9200));
        var second = Plan("node-1", [new CanaryDeployment("checkout", "v2", 2, null)], Service("search", 9200), Checkout);

        Assert.Equal(first.Yaml, second.Yaml);
        Assert.Equal(first.Revision, second.Revision);
    }

    [Fact]
    public void Plan_PortCollision_IsAnErrorNamingBoth()
    {
        var (nodes, services) = Parse(Nodes, Checkout, Service("clash", 8080));

        var result = ComposePlanner.Plan(nodes[0], services, [], Etcd, Bootstrap);

        Assert.Null(result.Plan);
        Assert.Equal("node node-1: port 8080 would be used by both checkout-v1-1 and clash-v1-1", Assert.Single(result.Errors));
    }
}
