using System.Diagnostics;
using LightMesh.Core.Deployment;
using LightMesh.Deployer.Engine;
using LightMesh.Testing;

namespace LightMesh.Deployer.Tests;

[Collection(DeployerCollectionDefinition.Name)]
public sealed class NodeDeployerTests(EtcdFixture etcd, DockerFixture docker)
{
    [Fact]
    public async Task Apply_TwoServices_RunsThemAndDockerComposeSeesTheProject()
    {
        await using var node = new NodeHarness(etcd, docker);
        await node.ApplyDocumentsAsync(node.Service("cart", "v1"), node.Service("shop", "v1"));

        var result = await node.ApplyAsync();

        Assert.True(result.Outcome == DeployOutcome.Applied, string.Join("\n", result.Errors));
        Assert.Equal("cart v1", await node.GetAsync("cart"));
        Assert.Equal("shop v1", await node.GetAsync("shop"));
        var ps = await node.ComposePsAsync();
        Assert.Contains("cart-v1-1", ps, StringComparison.Ordinal);
        Assert.Contains("shop-v1-1", ps, StringComparison.Ordinal);
        Assert.Equal(2, ps.Split('\n').Count(l => l.Contains("Up", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Apply_Again_ChangesNothing_AndANewVersionRecreatesOnlyItsContainers()
    {
        await using var node = new NodeHarness(etcd, docker);
        await node.ApplyDocumentsAsync(node.Service("cart", "v1"), node.Service("shop", "v1"));
        Assert.Equal(DeployOutcome.Applied, (await node.ApplyAsync()).Outcome);
        var before = await node.ContainersAsync();

        var again = await node.ApplyAsync();
        Assert.Equal(DeployOutcome.Unchanged, again.Outcome);
        Assert.Equal(before, await node.ContainersAsync());

        await node.ApplyDocumentsAsync(node.Service("cart", "v2"), node.Service("shop", "v1"));
        var upgrade = await node.ApplyAsync();

        Assert.True(upgrade.Outcome == DeployOutcome.Applied, string.Join("\n", upgrade.Errors));
        var after = await node.ContainersAsync();
        Assert.Equal(before["shop-v1-1"], after["shop-v1-1"]);
        Assert.Equal(["cart-v2-1", "shop-v1-1"], after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("cart v2", await node.GetAsync("cart"));
    }

    [Fact]
    public async Task Apply_ServiceLeavesTheNode_RemovesOnlyItsContainers()
    {
        await using var node = new NodeHarness(etcd, docker);
        await node.ApplyDocumentsAsync(node.Service("cart", "v1"), node.Service("shop", "v1"));
        Assert.Equal(DeployOutcome.Applied, (await node.ApplyAsync()).Outcome);
        var before = await node.ContainersAsync();

        await node.ApplyDocumentsAsync(node.Service("cart", "v1"), node.Service("shop", "v1", placement: "    placement: {nodeSelector: {role: elsewhere}}"));
        var result = await node.ApplyAsync();

        Assert.Equal(DeployOutcome.Applied, result.Outcome);
        Assert.Contains(result.Actions, a => a.Kind == ActionKind.Remove && a.ComposeService == "shop-v1-1");
        Assert.Equal(new Dictionary<string, string> { ["cart-v1-1"] = before["cart-v1-1"] }, await node.ContainersAsync());
    }

    [Fact]
    public async Task Apply_MissingImage_FailsNamingItAndChangesNothing()
    {
        await using var node = new NodeHarness(etcd, docker);
        await node.ApplyDocumentsAsync(node.Service("cart", "v1"));
        Assert.Equal(DeployOutcome.Applied, (await node.ApplyAsync()).Outcome);
        var before = await node.ContainersAsync();

        await node.ApplyDocumentsAsync(node.Service("cart", "v1"), node.Service("ghost", "v1", image: "lightmesh-test/absent"));
        var result = await node.ApplyAsync();

        Assert.Equal(DeployOutcome.Failed, result.Outcome);
        Assert.Contains("image lightmesh-test/absent:v1", Assert.Single(result.Errors), StringComparison.Ordinal);
        Assert.Equal(before, await node.ContainersAsync());
        Assert.Single(await node.Deployer.HistoryAsync(node.Node, default));
    }

    /// <summary>An image without a tag, or on a registry with a port, is pulled by its name as Docker splits it.</summary>
    [Theory]
    [InlineData("lightmesh-test/absent-envoy")]
    [InlineData("127.0.0.1:1/absent-envoy")]
    public async Task Apply_SidecarImageWithoutTagOrWithARegistryPort_FailsNamingItAndChangesNothing(string image)
    {
        await using var node = new NodeHarness(etcd, docker);
        await node.ApplyDocumentsAsync(node.Service("cart", "v1"));
        Assert.Equal(DeployOutcome.Applied, (await node.ApplyAsync()).Outcome);
        var before = await node.ContainersAsync();

        node.SidecarImage = image;
        await node.ApplyDocumentsAsync(node.Service("cart", "v1"));
        var result = await node.ApplyAsync();

        Assert.Equal(DeployOutcome.Failed, result.Outcome);
        Assert.Contains($"image {image} ", Assert.Single(result.Errors), StringComparison.Ordinal);
        Assert.Equal(before, await node.ContainersAsync());
    }

    /// <summary>
    /// The sidecar shows the node's proxy token to the control plane, but the plan, its YAML and the node's revisions in
    /// etcd name the token by its hash only: the engine reads the token from spec.proxyToken.file when it makes the container.
    /// </summary>
    [Fact]
    public async Task Apply_SidecarOfANodeWithAProxyToken_GetsTheTokenFromItsFile_WhichNothingStored()
    {
        var file = Path.GetTempFileName();
        var token = Core.Security.TokenHash.NewToken();
        await File.WriteAllTextAsync(file, token + "\n");
        try
        {
            await using var node = new NodeHarness(etcd, docker) { SidecarImage = $"{DockerFixture.EnvoyImage}:v1", ProxyToken = $"{{sha256: {Core.Security.TokenHash.HexOf(token)}, file: \"{file}\"}}" };
            await node.ApplyDocumentsAsync(node.Service("cart", "v1"));

            Assert.Equal(DeployOutcome.Applied, (await node.ApplyAsync()).Outcome);

            var sidecar = await docker.Client.Containers.InspectContainerAsync((await node.ContainersAsync())[ComposePlanner.SidecarService]);
            var bootstrap = System.Text.Json.Nodes.JsonNode.Parse(sidecar.Config.Cmd[2])!;
            Assert.Equal(token, (string?)bootstrap["dynamic_resources"]!["ads_config"]!["grpc_services"]![0]!["initial_metadata"]![0]!["value"]);
            var (_, plan) = await node.Deployer.RenderAsync(node.Node, [], default);
            Assert.DoesNotContain(token, plan.Plan!.Yaml, StringComparison.Ordinal);
            Assert.Contains(Core.Security.TokenHash.HexOf(token), plan.Plan.Yaml, StringComparison.Ordinal);
            var stored = await node.Etcd.RangePrefixAsync(node.Etcd.Keys.Prefix, 0, default);
            Assert.DoesNotContain(stored.Kvs, kv => kv.Value.ToStringUtf8().Contains(token, StringComparison.Ordinal));

            // A file whose token is not the one the Node names stops the apply, naming the file, before anything changes.
            await File.WriteAllTextAsync(file, Core.Security.TokenHash.NewToken());
            node.ProxyToken = $"{{sha256: {new string('a', 64)}, file: \"{file}\"}}";
            await node.ApplyDocumentsAsync(node.Service("cart", "v1"));
            var before = await node.ContainersAsync();
            var refused = await Assert.ThrowsAsync<Core.InvalidInputException>(node.ApplyAsync);
            Assert.Contains($"spec.proxyToken.file {file}: holds a token whose SHA-256 is not spec.proxyToken.sha256", refused.Message, StringComparison.Ordinal);
            Assert.Equal(before, await node.ContainersAsync());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Services register as the registrar, never as the controller; its password reaches the container only.</summary>
    [Fact]
    public async Task Apply_WithARegistrarPasswordFile_GivesServicesTheRegistrarUser_AndItsPasswordOnlyInTheContainer()
    {
        var file = Path.GetTempFileName();
        var password = Core.Security.TokenHash.NewToken();
        await File.WriteAllTextAsync(file, password + "\n");
        try
        {
            await using var node = new NodeHarness(etcd, docker, registrarPasswordFile: file);
            await node.ApplyDocumentsAsync(node.Service("cart", "v1"));

            Assert.Equal(DeployOutcome.Applied, (await node.ApplyAsync()).Outcome);

            var container = await docker.Client.Containers.InspectContainerAsync((await node.ContainersAsync())["cart-v1-1"]);
            Assert.Contains("LIGHTMESH_ETCD_USER=lightmesh-registrar", container.Config.Env);
            Assert.Contains($"LIGHTMESH_ETCD_PASSWORD={password}", container.Config.Env);
            var (_, plan) = await node.Deployer.RenderAsync(node.Node, [], default);
            Assert.DoesNotContain(password, plan.Plan!.Yaml, StringComparison.Ordinal);
            Assert.Contains(ComposePlanner.EtcdPasswordPlaceholder, plan.Plan.Yaml, StringComparison.Ordinal);
            var stored = await node.Etcd.RangePrefixAsync(node.Etcd.Keys.Prefix, 0, default);
            Assert.DoesNotContain(stored.Kvs, kv => kv.Value.ToStringUtf8().Contains(password, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Apply_CrashingContainer_FailsWithItsExitCodeAndLogs()
    {
        await using var node = new NodeHarness(etcd, docker);
        await node.ApplyDocumentsAsync(node.Service("crashy", "v1", image: DockerFixture.CrashImage));

        var result = await node.ApplyAsync();

        Assert.Equal(DeployOutcome.Failed, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Contains("crashy-v1-1 exited with code 3", error, StringComparison.Ordinal);
        Assert.Contains("crashing on purpose", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undo_RestoresThePreviousRevisionExactly_AndTwiceChangesNothing()
    {
        await using var node = new NodeHarness(etcd, docker);
        await node.ApplyDocumentsAsync(node.Service("cart", "v1"));
        var first = await node.ApplyAsync();
        var (_, v1Plan) = await node.Deployer.RenderAsync(node.Node, [], default);
        await node.ApplyDocumentsAsync(node.Service("cart", "v2"));
        Assert.Equal(DeployOutcome.Applied, (await node.ApplyAsync()).Outcome);

        var undo = await node.Deployer.UndoAsync(node.Node, null, default);

        Assert.True(undo.Outcome == DeployOutcome.Applied, string.Join("\n", undo.Errors));
        Assert.Equal(first.Revision, undo.Revision);
        Assert.Equal("cart v1", await node.GetAsync("cart"));
        var inspect = await docker.Client.Containers.InspectContainerAsync((await node.ContainersAsync())["cart-v1-1"]);
        Assert.Equal(v1Plan.Plan!.Containers.Single().ConfigHash, inspect.Config.Labels[ComposeLabels.ConfigHash]);
        Assert.Equal(["apply", "apply", "undo"], (await node.Deployer.HistoryAsync(node.Node, default)).Select(r => r.Kind));

        var again = await node.Deployer.UndoAsync(node.Node, null, default);
        Assert.Equal(DeployOutcome.Unchanged, again.Outcome);
    }

    [Fact]
    public async Task Apply_TwoAtOnce_NeverInterleave()
    {
        await using var node = new NodeHarness(etcd, docker);
        await node.ApplyDocumentsAsync(node.Service("cart", "v1"), node.Service("shop", "v1"));

        var results = await Task.WhenAll(node.ApplyAsync(), node.ApplyAsync());

        Assert.Single(results, r => r.Outcome == DeployOutcome.Applied);
        Assert.Single(results, r => r.Outcome is DeployOutcome.Busy or DeployOutcome.Unchanged);
        Assert.Single(await node.Deployer.HistoryAsync(node.Node, default));
        Assert.Equal(2, (await node.ContainersAsync()).Count);
    }

    [Theory]
    [InlineData("one-version.yaml")]
    [InlineData("stable-and-canary.yaml")]
    [InlineData("placement-by-label.yaml")]
    [InlineData("replicas-and-sidecar.yaml")]
    [InlineData("service-left.yaml")]
    public async Task GoldenDocument_IsValidForDockerCompose(string file)
    {
        var info = new ProcessStartInfo(Executables.Require("docker-compose", "docker-compose"), ["-f", Path.Combine(AppContext.BaseDirectory, "golden", file), "-p", "lightmesh-check", "config", "-q"])
        {
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, errors);
    }
}
