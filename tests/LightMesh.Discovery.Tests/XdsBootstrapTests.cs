using System.Text.Json.Nodes;
using LightMesh.Discovery.Xds;
using LightMesh.Xds.Bootstrap;

namespace LightMesh.Discovery.Tests;

/// <summary>The xds:/// client reads the bootstrap `lightmesh xds bootstrap` writes, and says everything wrong with a bad one.</summary>
public sealed class XdsBootstrapTests
{
    [Fact]
    public void Parse_TheBootstrapLightMeshWrites_GivesTheServerAndNode()
    {
        var (bootstrap, errors) = XdsBootstrap.Parse(Bootstraps.Grpc("billing-1", "10.0.0.5", 18000).ToJsonString());

        Assert.Empty(errors);
        Assert.Equal([new Uri("http://10.0.0.5:18000")], bootstrap!.Servers);
        Assert.Equal(("billing-1", "lightmesh"), (bootstrap.Node.Id, bootstrap.Node.Cluster));
        Assert.False(bootstrap.IgnoreResourceDeletion);
    }

    [Fact]
    public void Parse_SeveralControllers_AreEveryServer_InOrder_AndABadOneIsNamedByItsIndex()
    {
        var (bootstrap, errors) = XdsBootstrap.Parse(Bootstraps.Grpc("billing-1", [("10.0.0.5", 18000), ("10.0.0.6", 18001)]).ToJsonString());
        Assert.Empty(errors);
        Assert.Equal([new Uri("http://10.0.0.5:18000"), new Uri("http://10.0.0.6:18001")], bootstrap!.Servers);

        var broken = Bootstraps.Grpc("billing-1", [("10.0.0.5", 18000), ("10.0.0.6", 18001)]);
        broken["xds_servers"]![1]!["server_uri"] = "no-port";
        var (none, problems) = XdsBootstrap.Parse(broken.ToJsonString());
        Assert.Null(none);
        Assert.Equal(["xds_servers[1].server_uri: \"no-port\" is not host:port"], problems);
    }

    [Fact]
    public void Parse_ABootstrapWithAProxyToken_SendsItAsCallMetadataToo()
    {
        var (withToken, _) = XdsBootstrap.Parse(Bootstraps.Grpc("billing-1", "10.0.0.5", 18000, "tok_en-1").ToJsonString());
        var (without, _) = XdsBootstrap.Parse(Bootstraps.Grpc("billing-1", "10.0.0.5", 18000).ToJsonString());

        Assert.Equal("tok_en-1", withToken!.Node.Metadata.Fields["lightmesh-node-token"].StringValue);
        Assert.Equal("tok_en-1", withToken.TokenHeaders!.GetValue("lightmesh-node-token"));
        Assert.Null(without!.TokenHeaders);
    }

    [Fact]
    public void Parse_TlsAndServerFeatures_AreHonoured()
    {
        var json = """
            {"xds_servers": [{"server_uri": "cp.example:443", "channel_creds": [{"type": "google_default"}, {"type": "tls"}],
              "server_features": ["xds_v3", "ignore_resource_deletion"]}],
             "node": {"id": "n", "locality": {"zone": "z1"}, "metadata": {"team": "shop"}}}
            """;

        var (bootstrap, errors) = XdsBootstrap.Parse(json);

        Assert.Empty(errors);
        Assert.Equal([new Uri("https://cp.example:443")], bootstrap!.Servers);
        Assert.True(bootstrap.IgnoreResourceDeletion);
        Assert.Equal("z1", bootstrap.Node.Locality.Zone);
        Assert.Equal("shop", bootstrap.Node.Metadata.Fields["team"].StringValue);
    }

    [Fact]
    public void Parse_BrokenBootstrap_ListsEveryProblem()
    {
        var json = new JsonObject
        {
            ["xds_servers"] = new JsonArray(new JsonObject { ["server_uri"] = "no-port", ["channel_creds"] = new JsonArray(new JsonObject { ["type"] = "google_default" }) }),
            ["node"] = new JsonObject { ["cluster"] = "c" },
        };

        var (bootstrap, errors) = XdsBootstrap.Parse(json.ToJsonString());

        Assert.Null(bootstrap);
        Assert.Equal(
            [
                "xds_servers[0].channel_creds: none of type insecure or tls",
                "xds_servers[0].server_uri: \"no-port\" is not host:port",
                "node.id: required",
            ],
            errors);
    }

    [Fact]
    public void ReadBootstrap_Nothing_SaysWhereABootstrapIsLookedFor()
    {
        var (json, _, problem) = new XdsClientOptions().ReadBootstrap(_ => null);

        Assert.Null(json);
        Assert.Contains("GRPC_XDS_BOOTSTRAP", problem, StringComparison.Ordinal);
    }
}
