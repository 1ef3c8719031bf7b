using System.Text.Json.Nodes;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Publishing;
using LightMesh.Etcd.Documents;
using LightMesh.Processes;
using LightMesh.Testing;
using LightMesh.Xds.Bootstrap;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.DependencyInjection;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class XdsVerbTests(EtcdFixture etcd)
{
    [Fact]
    public async Task XdsBootstrap_PrintsTheGrpcBootstrap()
    {
        var result = await RunAsync("xds", "bootstrap", "--node-id", "client-1", "--xds", "127.0.0.1:18000");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(JsonNode.DeepEquals(Bootstraps.Grpc("client-1", "127.0.0.1", 18000), JsonNode.Parse(result.Stdout)));
    }

    [Fact]
    public async Task Bootstraps_WithSeveralControllers_ListThemAll()
    {
        var grpc = await RunAsync("xds", "bootstrap", "--node-id", "client-1", "--xds", "127.0.0.1:18000, 127.0.0.2:18001");
        var envoy = await RunAsync("envoy", "bootstrap", "--node", "node-1", "--xds", "127.0.0.1:18000,127.0.0.2:18001");

        Assert.True(grpc.ExitCode == 0, grpc.ToString());
        Assert.True(JsonNode.DeepEquals(Bootstraps.Grpc("client-1", [("127.0.0.1", 18000), ("127.0.0.2", 18001)]), JsonNode.Parse(grpc.Stdout)));
        Assert.True(envoy.ExitCode == 0, envoy.ToString());
        var endpoints = JsonNode.Parse(envoy.Stdout)!["static_resources"]!["clusters"]![0]!["load_assignment"]!["endpoints"]![0]!["lb_endpoints"]!.AsArray();
        Assert.Equal([18000, 18001], endpoints.Select(e => e!["endpoint"]!["address"]!["socket_address"]!["port_value"]!.GetValue<int>()));
    }

    [Fact]
    public async Task EnvoyBootstrap_IsAcceptedByTheCanonicalBootstrapProto()
    {
        var result = await RunAsync("envoy", "bootstrap", "--node", "node-1", "--xds", "10.0.0.5:18000", "--admin-port", "9902");
        Assert.True(result.ExitCode == 0, result.ToString());

        var (exitCode, output, errors) = await NodePeers.DecodeAsync(result.Stdout, "--json-type", "envoy.config.bootstrap.v3.Bootstrap");

        Assert.True(exitCode == 0, $"{errors}{output?.ToJsonString()}");
        Assert.Equal("node-1", JsonNode.Parse(result.Stdout)!["node"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bootstraps_WithATokenFile_CarryTheToken_EnvoysAsCallMetadata_GrpcsInTheNodesMetadata()
    {
        var file = Path.GetTempFileName();
        var token = Core.Security.TokenHash.NewToken();
        await File.WriteAllTextAsync(file, token + "\n");
        try
        {
            var grpc = await RunAsync("xds", "bootstrap", "--node-id", "client-1", "--token-file", file);
            var envoy = await RunAsync("envoy", "bootstrap", "--node", "node-1", "--token-file", file);

            Assert.True(grpc.ExitCode == 0, grpc.ToString());
            Assert.Equal(token, (string?)JsonNode.Parse(grpc.Stdout)!["node"]!["metadata"]!["lightmesh-node-token"]);
            Assert.True(envoy.ExitCode == 0, envoy.ToString());
            var metadata = JsonNode.Parse(envoy.Stdout)!["dynamic_resources"]!["ads_config"]!["grpc_services"]![0]!["initial_metadata"]![0]!;
            Assert.Equal("lightmesh-node-token", (string?)metadata["key"]);
            Assert.Equal(token, (string?)metadata["value"]);
            var (exitCode, output, errors) = await NodePeers.DecodeAsync(envoy.Stdout, "--json-type", "envoy.config.bootstrap.v3.Bootstrap");
            Assert.True(exitCode == 0, $"{errors}{output?.ToJsonString()}");

            await File.WriteAllTextAsync(file, "two words");
            var refused = await RunAsync("xds", "bootstrap", "--node-id", "client-1", "--token-file", file);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"--token-file {file}: must hold the secret alone", refused.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("xds", "bootstrap", "--xds", "127.0.0.1:18000")]
    [InlineData("envoy", "bootstrap", "--node", "n", "--xds", "nowhere")]
    [InlineData("xds", "bootstrap", "--node-id", "n", "--xds", "127.0.0.1:18000,")]
    [InlineData("xds", "serve", "--listen", "127.0.0.1:1", "--admin", "127.0.0.1:1")]
    [InlineData("xds", "serve", "--debounce-quiet", "soon")]
    public async Task XdsVerb_BadOptions_ExitsTwo(params string[] args) =>
        Assert.Equal(2, (await RunAsync(args)).ExitCode);

    [Fact]
    public async Task XdsStatus_NothingListening_ExitsFive() =>
        Assert.Equal(5, (await RunAsync("xds", "status", "--admin", $"http://127.0.0.1:{LoopbackPort.Free()}")).ExitCode);

    [Fact]
    public async Task XdsStatus_ASnapshotTheControlPlaneCouldNotBuild_IsPrintedWithTheRevisionServed()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var failing = false;
        var admin = $"127.0.0.1:{LoopbackPort.Free()}";
        await using var server = await XdsServer.StartAsync(
            connection.Options,
            new XdsServerOptions { Listen = $"127.0.0.1:{LoopbackPort.Free()}", Admin = admin, Name = "status-test" },
            null,
            services => services.AddSingleton<MeshTranslation>((mesh, previous) =>
                Volatile.Read(ref failing) ? throw new InvalidOperationException("a fault in the translation") : MeshTranslator.Translate(mesh, previous)),
            default);
        var served = await Poll.UntilAsync(() => Task.FromResult(server.Registry.Current.Revision), r => r > 0, TimeSpan.FromSeconds(10), "the first snapshot");
        Volatile.Write(ref failing, true);

        var written = await new DocumentStore(connection).ApplyAsync(TestMeshes.Parse(TestMeshes.Service("checkout", 8080, "grpc")), default);
        var status = await Poll.UntilAsync(
            () => RunAsync("xds", "status", "--admin", $"http://{admin}"), r => r.Stdout.Contains("not built:", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the failure in the status");

        // The revision not built is the write's, or a later one the watch had read by then (this controller's report).
        Assert.True(status.ExitCode == 0, status.ToString());
        var line = System.Text.RegularExpressions.Regex.Match(
            status.Stdout, $@"not built: the control plane could not build its snapshot at revision (\d+): a fault in the translation; the proxies keep revision {served}\n");
        Assert.True(line.Success && long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= written.Revision, status.ToString());
    }

    [Fact]
    public async Task XdsServe_ServesStatusUntilSigterm()
    {
        var admin = $"127.0.0.1:{LoopbackPort.Free()}";
        await using var server = CliProcess.Start("xds", "serve", "--listen", $"127.0.0.1:{LoopbackPort.Free()}", "--admin", admin, "--etcd", etcd.Endpoint, "--prefix", etcd.NewPrefix());

        var status = await Poll.UntilAsync(() => RunAsync("xds", "status", "--admin", $"http://{admin}", "-o", "json"), r => r.ExitCode == 0, TimeSpan.FromSeconds(30), "the control plane's status");
        Assert.Empty(JsonNode.Parse(status.Stdout)!["proxies"]!.AsArray());

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(20), CancellationToken.None));
        Assert.Contains("serving ADS on", server.Output, StringComparison.Ordinal);
    }
}
