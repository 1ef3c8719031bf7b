using LightMesh.Core.Parsing;

namespace LightMesh.Core.Tests.Parsing;

/// <summary>Where each limit of the parser lies: the last thing it takes, and the first it refuses.</summary>
public sealed class DocumentLimitsTests
{
    private const string Service = "apiVersion: lightmesh.io/v1\nkind: Service\nspec: {protocol: http, port: 8080}\n";

    [Fact]
    public void Parse_AliasToAnEarlierNode_IsExpandedInPlace()
    {
        var yaml = Service + "metadata:\n  name: checkout\n  labels: &common {team: payments, tier: web}\n  annotations: *common\n";

        var tree = Assert.Single(YamlTree.Parse(yaml, "alias.yaml").Documents).Root!;

        Assert.Equal("payments", tree["metadata"]!["annotations"]!["team"]!.GetValue<string>());
        Assert.Equal("web", tree["metadata"]!["labels"]!["tier"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_ScalarAlias_ReadsAsItsAnchorDoes()
    {
        var tree = Assert.Single(YamlTree.Parse("a: &n 8080\nb: *n\nc: &s '8080'\nd: *s\n", "alias.yaml").Documents).Root!;

        Assert.Equal(8080, tree["b"]!.GetValue<long>());
        Assert.Equal("8080", tree["d"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(DocumentLimits.MaxDepth, true)]
    [InlineData(DocumentLimits.MaxDepth + 1, false)]
    public void Parse_Nesting_IsTakenUpToTheLimit(int levels, bool taken)
    {
        // A map holding lists inside one another: the map is the first level.
        var yaml = "a: " + new string('[', levels - 1) + new string(']', levels - 1) + "\n";

        var (documents, errors) = YamlTree.Parse(yaml, "deep.yaml");

        Assert.Equal(taken, errors.Count == 0);
        Assert.Equal(taken ? 1 : 0, documents.Count);
    }

    [Theory]
    [InlineData(DocumentLimits.MaxNodes - 3, true)]
    [InlineData(DocumentLimits.MaxNodes - 2, false)]
    public void Parse_Nodes_AreTakenUpToTheLimit(int items, bool taken)
    {
        // The map, its key and the list are three nodes; each item one more.
        var yaml = "a: [" + string.Join(",", Enumerable.Repeat("1", items)) + "]\n";

        var (_, errors) = YamlTree.Parse(yaml, "wide.yaml");

        Assert.Equal(taken ? [] : [$"wide.yaml: document 1 (line 1): a[{items - 1}]: more than {DocumentLimits.MaxNodes} nodes, the limit for a file"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_FileOfExactlyTheByteLimit_IsRead_AndOneByteMoreIsRefused()
    {
        var head = "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata: {name: big}\nspec: {protocol: http, port: 8080}\n#"u8.ToArray();
        var exact = head.Concat(Enumerable.Repeat((byte)'x', DocumentLimits.MaxBytes - head.Length)).ToArray();

        Assert.Empty(DocumentParser.Parse(exact, "big.yaml").Errors);
        Assert.Equal("big.yaml: larger than 4194304 bytes, the limit for a file", Assert.Single(DocumentParser.Parse([.. exact, (byte)'x'], "big.yaml").Errors).ToString());
    }

    [Fact]
    public void Parse_ByteOrderMark_IsSkipped()
    {
        var result = DocumentParser.Parse([0xEF, 0xBB, 0xBF, .. "apiVersion: lightmesh.io/v1\nkind: Service\nmetadata: {name: a}\nspec: {protocol: http, port: 80}\n"u8], "bom.yaml");

        Assert.Empty(result.Errors);
        Assert.Single(result.Documents);
    }

    [Fact]
    public void Parse_JsonWithSlashesInStrings_IsNotTakenForComments()
    {
        var result = DocumentParser.Parse("""{"apiVersion": "lightmesh.io/v1", "kind": "Node", "metadata": {"name": "n"}, "spec": {"address": "127.0.0.1", "dockerEndpoint": "unix:///var/run/docker.sock"}}""", "node.json");

        Assert.Empty(result.Errors);
    }

    [Fact]
    public void ParseJson_DuplicateKey_IsAnErrorNotAnException()
    {
        var result = DocumentParser.ParseJson("""{"apiVersion": "lightmesh.io/v1", "kind": "Node", "kind": "Service"}""", "/lightmesh/nodes/n");

        Assert.StartsWith("/lightmesh/nodes/n: not valid JSON: ", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }
}
