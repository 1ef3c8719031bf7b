using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;
using LightMesh.Testing;
using LightMesh.Xds.Translation;

namespace LightMesh.Xds.Tests;

/// <summary>Mesh snapshots the tests translate, written as users write documents.</summary>
internal static class Meshes
{
    /// <summary>checkout, over gRPC on 8080.</summary>
    public static readonly string CheckoutService = TestMeshes.Service(protocol: "grpc");

    /// <summary>checkout and its rule: subsets v1 and v2, balanced by least requests.</summary>
    public static readonly string Checkout = TestMeshes.Join(CheckoutService, TestMeshes.Rule("checkout", ["v1", "v2"], loadBalancer: "LEAST_REQUEST"));

    /// <summary>checkout's routes: canary testers to v2, everyone else split between v1 and v2 by these weights.</summary>
    public static string Weights(int v1, int v2) => TestMeshes.CanaryRoutes("checkout", v1, v2);

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
