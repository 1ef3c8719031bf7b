using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Xds.Translation;

namespace LightMesh.Xds.Tests;

/// <summary>Mesh snapshots the tests translate, written as users write documents.</summary>
internal static class Meshes
{
    public const string CheckoutService = """
        apiVersion: lightmesh.io/v1
        kind: Service
        metadata: {name: checkout}
        spec: {protocol: grpc, port: 8080}
        """;

    public const string Checkout = CheckoutService + "\n---\n" + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: checkout}
        spec:
          host: checkout
          trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """;

    public static string Weights(int v1, int v2) => $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: checkout}
        spec:
          hosts: [checkout]
          http:
          - name: canary-testers
            match:
            - headers:
                x-canary: {exact: "true"}
            route:
            - destination: {host: checkout, subset: v2}
          - name: primary
            route:
            - destination: {host: checkout, subset: v1}
              weight: {{v1}}
            - destination: {host: checkout, subset: v2}
              weight: {{v2}}
        """;

    public static Instance Instance(string version, int port) => new()
    {
        Service = "checkout", Id = $"i-{port}", Version = version, Address = "127.0.0.1", Port = port,
        Labels = new Dictionary<string, string> { ["version"] = version },
    };

    public static MeshSnapshot Build(long revision, string yaml, params Instance[] instances)
    {
        var result = DocumentParser.Parse(yaml, "test.yaml");
        Assert.Empty(result.Errors);
        var documents = result.Documents.Select(d => d.Document).ToList();
        return new MeshSnapshot(
            documents.OfType<MeshService>().ToList(),
            documents.OfType<VirtualService>().ToList(),
            documents.OfType<DestinationRule>().ToList(),
            instances,
            documents.OfType<MeshNode>().ToList(),
            revision);
    }

    public static XdsSnapshot Translate(MeshSnapshot mesh, XdsSnapshot? previous = null) => MeshTranslator.Translate(mesh, previous ?? XdsSnapshot.Empty);
}
