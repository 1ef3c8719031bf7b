using System.Text.Json.Nodes;
using LightMesh.Core.Networking;
using LightMesh.Core.Parsing;

namespace LightMesh.Core.Tests.Parsing;

public sealed class RoundTripTests
{
    public static TheoryData<string> ExampleFiles => new()
    {
        "mesh.yaml", "checkout.yaml", "payments.yaml", "analysis/envoy.yaml", "analysis/aspnetcore.yaml", "analysis/grpc.yaml", "analysis/demo.yaml",
        "workflows/canary.yaml", "workflows/canary-manual.yaml", "workflows/quick.yaml", "workflows/ab-header.yaml", "workflows/mirror-first.yaml", "workflows/blue-green.yaml", "workflows/sticky-canary.yaml", "group-shop.yaml",
    };

    private static string ReadExample(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", file));

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Write_ValidIstioDocuments_GivesBackTheTreeThatWasRead(string file)
    {
        var text = ReadExample(file);
        var trees = YamlTree.Parse(text, file).Documents.Select(d => d.Root).ToList();

        var result = DocumentParser.Parse(text, file);

        Assert.Empty(result.Errors);
        Assert.Equal(trees.Count, result.Documents.Count);
        for (var i = 0; i < trees.Count; i++)
        {
            var written = DocumentCodec.Write(result.Documents[i].Document);
            Assert.True(JsonNode.DeepEquals(trees[i], written), $"document {i + 1} changed:\n{trees[i]?.ToJsonString()}\n!=\n{written.ToJsonString()}");
        }
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void YamlText_WrittenDocuments_ParseBackUnchanged(string file)
    {
        var documents = DocumentParser.Parse(ReadExample(file), file).Documents;
        var trees = documents.Select(d => DocumentCodec.Write(d.Document)).ToList();

        var yaml = YamlText.Write(trees);
        var again = DocumentParser.Parse(yaml, "written.yaml");

        Assert.Empty(again.Errors);
        Assert.Equal(trees.Count, again.Documents.Count);
        for (var i = 0; i < trees.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(trees[i], DocumentCodec.Write(again.Documents[i].Document)), yaml);
        }
    }

    [Fact]
    public void Parse_Json_ReadsLikeYaml()
    {
        const string json = """
            {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "checkout"},
             "spec": {"hosts": ["checkout"], "http": [{"route": [{"destination": {"host": "checkout", "subset": "v1"}, "weight": 100}]}]}}
            """;

        var result = DocumentParser.Parse(json, "vs.json");

        var vs = Assert.IsType<VirtualService>(Assert.Single(result.Documents).Document);
        Assert.Equal(100, vs.Spec.Http[0].Route[0].Weight);
    }

    [Fact]
    public void Parse_JsonArray_ReadsEachElementAsADocument()
    {
        const string json = """
            [{"apiVersion": "lightmesh.io/v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"protocol": "http", "port": 80}},
             {"apiVersion": "lightmesh.io/v1", "kind": "Service", "metadata": {"name": "b"}, "spec": {"protocol": "grpc", "port": 81}}]
            """;

        Assert.Equal(["a", "b"], DocumentParser.Parse(json, "all.json").Documents.Select(d => d.Document.Name));
    }

    [Fact]
    public void YamlText_StringsThatLookLikeOtherTypes_AreQuoted()
    {
        var yaml = YamlText.Write([new JsonObject { ["a"] = "true", ["b"] = "10", ["c"] = "", ["d"] = "null", ["e"] = 10 }]);

        var tree = YamlTree.Parse(yaml, "quoted.yaml").Documents[0].Root!;

        Assert.Equal("true", tree["a"]!.GetValue<string>());
        Assert.Equal("10", tree["b"]!.GetValue<string>());
        Assert.Equal("", tree["c"]!.GetValue<string>());
        Assert.Equal("null", tree["d"]!.GetValue<string>());
        Assert.Equal(10, tree["e"]!.GetValue<long>());
    }
}
