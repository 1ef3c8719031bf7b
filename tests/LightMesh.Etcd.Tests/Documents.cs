using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;

namespace LightMesh.Etcd.Tests;

/// <summary>Documents the tests write, as a user would.</summary>
internal static class Documents
{
    public const string Service = """
        apiVersion: lightmesh.io/v1
        kind: Service
        metadata: {name: checkout}
        spec: {protocol: http, port: 8080}
        """;

    public const string Rule = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: checkout}
        spec:
          host: checkout
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """;

    public const string RuleWithoutV2 = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: checkout}
        spec:
          host: checkout
          subsets:
          - {name: v1, labels: {version: v1}}
        """;

    public static string Route(string subset) => $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: checkout}
        spec:
          hosts: [checkout]
          http:
          - name: primary
            route:
            - destination: {host: checkout, subset: {{subset}}}
        """;

    public static List<SourcedDocument> Parse(params string[] yaml)
    {
        var result = DocumentParser.Parse(string.Join("\n---\n", yaml), "test.yaml");
        Assert.Empty(result.Errors);
        return result.Documents.ToList();
    }
}
