using System.Diagnostics;
using System.Text.Json.Nodes;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>apply</c>, <c>get</c> and <c>delete</c> with <c>--server</c>: through a real controller process's document API,
/// its tokens and roles, onto the etcd the controller uses; what was written is checked in etcd directly.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class DocumentApiVerbTests(EtcdFixture etcd, ControllerProcessFixture controller) : IClassFixture<ControllerProcessFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-documents-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Apply_ViaServer_WritesTheDocuments_AndGetShowsThemAsEtcdDoes()
    {
        var applied = await Api(controller.AdminToken, "apply", "-f", Example("mesh.yaml"), "-f", Example("checkout.yaml"), "-f", Example("payments.yaml"));

        Assert.True(applied.ExitCode == 0, applied.ToString());
        // Created, or unchanged when another test of the class applied the examples first.
        Assert.Matches("(?m)^VirtualService/checkout (created|unchanged)$", applied.Stdout);
        Assert.Contains("checkout   checkout   testers (match): v2=100; primary: v1=90 v2=10", (await Api(controller.Token, "get", "vs")).Stdout, StringComparison.Ordinal);
        foreach (string[] args in (string[][])[["get", "vs"], ["get", "dr", "payments", "-o", "json"], ["get", "services", "-o", "yaml"]])
        {
            var viaServer = await Api(controller.ViewerToken, args);
            var viaEtcd = await Etcd(args);
            Assert.True(viaServer.ExitCode == 0, viaServer.ToString());
            Assert.Equal(viaEtcd.Stdout, viaServer.Stdout);
        }
    }

    [Fact]
    public async Task Apply_ViaServer_DocumentInvalidAgainstTheStore_ExitsTwoNamingFileDocumentAndField_AndWritesNothing()
    {
        var file = await FileAsync("ghost.yaml", TestMeshes.Join(TestMeshes.Service("orders"), TestMeshes.VirtualService("ghost", [TestMeshes.To("orders", name: null)])));

        var result = await Api(controller.AdminToken, "apply", "-f", file);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{file}: VirtualService/ghost: spec.hosts[0]: ", result.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("nothing was written\n", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, (await Etcd("get", "service", "orders")).ExitCode);
    }

    /// <summary><c>apply --dry-run</c> and <c>--diff</c> say what the apply would do, the same with a controller and without, and write nothing.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Apply_DryRunAndDiff_PrintWhatWouldChange_AndWriteNothing(bool viaServer)
    {
        var name = $"dry-{(viaServer ? "server" : "etcd")}-{Guid.NewGuid():N}"[..24];
        string Service(int port) => $"apiVersion: lightmesh.io/v1\nkind: Service\nmetadata: {{name: {name}}}\nspec: {{protocol: http, port: {port}}}\n";
        Task<Result> Apply(params string[] args) => viaServer ? Api(controller.AdminToken, ["apply", .. args]) : Etcd(["apply", .. args]);

        var created = await Apply("-f", await FileAsync($"{name}-new.yaml", Service(8080)), "--dry-run");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal($"Service/{name} created (dry run: nothing was written)\n", created.Stdout);
        Assert.Equal(4, (await Etcd("get", "service", name)).ExitCode);

        Assert.Equal(0, (await Apply("-f", await FileAsync($"{name}-8080.yaml", Service(8080)))).ExitCode);
        var diff = await Apply("-f", await FileAsync($"{name}-8081.yaml", Service(8081)), "--diff");

        Assert.True(diff.ExitCode == 0, diff.ToString());
        Assert.Equal(
            [$"--- Service/{name} (stored)", $"+++ Service/{name} (applied)", "@@ -4,4 +4,4 @@", $"   name: {name}", " spec:", "   protocol: http", "-  port: 8080", "+  port: 8081",
             $"Service/{name} configured (dry run: nothing was written)"],
            diff.Stdout.TrimEnd('\n').Split('\n'));
        Assert.Contains("\"port\": 8080", (await Etcd("get", "service", name, "-o", "json")).Stdout, StringComparison.Ordinal);

        var invalid = await Apply("-f", await FileAsync($"{name}-bad.yaml", Service(99999)), "--dry-run");
        Assert.True(invalid.ExitCode == 2, invalid.ToString());
        Assert.Contains("spec.port: must be <= 65535", invalid.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("viewer", "error: role: this needs admin; token \"watcher\" is viewer: use a token with that role")]
    [InlineData("operator", "error: role: this needs admin; token \"test\" is operator: use a token with that role")]
    public async Task Apply_ViaServer_TokenBelowAdmin_ExitsSevenWithTheServersReason_AndWritesNothing(string role, string reason)
    {
        var file = await FileAsync($"{role}.yaml", """
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: refused}
            spec: {protocol: http, port: 8080}
            """);

        var result = await Api(role == "viewer" ? controller.ViewerToken : controller.Token, "apply", "-f", file);

        Assert.True(result.ExitCode == 7, result.ToString());
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was written", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, (await Etcd("get", "service", "refused")).ExitCode);
    }

    [Fact]
    public async Task Delete_ViaServer_DeletesAnUnusedDocument_RefusesOneStillNeeded_AndAViewer()
    {
        var applied = await Api(controller.AdminToken, "apply", "-f", Example("mesh.yaml"), "-f", Example("checkout.yaml"), "-f", Example("payments.yaml"));
        Assert.True(applied.ExitCode == 0, applied.ToString());

        var byViewer = await Api(controller.ViewerToken, "delete", "vs", "payments");
        var deleted = await Api(controller.AdminToken, "delete", "vs", "payments");
        var again = await Api(controller.AdminToken, "delete", "vs", "payments");
        var needed = await Api(controller.AdminToken, "delete", "dr", "checkout");

        Assert.True(byViewer.ExitCode == 7, byViewer.ToString());
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("VirtualService/payments deleted\n", deleted.Stdout);
        Assert.Equal(4, (await Etcd("get", "vs", "payments")).ExitCode);
        Assert.True(again.ExitCode == 4, again.ToString());
        Assert.True(needed.ExitCode == 3, needed.ToString());
        Assert.StartsWith("cannot delete DestinationRule/checkout:", needed.Stderr, StringComparison.Ordinal);
        Assert.Contains("VirtualService/checkout: ", needed.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await Etcd("get", "dr", "checkout")).ExitCode);
    }

    [Fact]
    public async Task Get_ViaServer_Missing_ExitsFourAsWithEtcd()
    {
        var result = await Api(controller.ViewerToken, "get", "vs", "nope");

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("VirtualService/nope not found; lightmesh get vs lists what is stored", result.Stderr.Trim());
    }

    [Fact]
    public async Task Get_ServerFromTheEnvironment_WithoutAToken_ExitsSeven_WithOne_Reads()
    {
        var home = Directory.CreateDirectory(Path.Combine(_directory, "home")).FullName;
        var anonymous = FromEnvironment(home, "get", "services");
        var withToken = FromEnvironment(home, "get", "services");
        withToken.Environment["LIGHTMESH_TOKEN"] = controller.ViewerToken;

        var refused = await RunAsync(anonymous);
        var read = await RunAsync(withToken);

        Assert.True(refused.ExitCode == 7, refused.ToString());
        Assert.Contains("error: no token was sent: give one with --token or $LIGHTMESH_TOKEN", refused.Stderr, StringComparison.Ordinal);
        Assert.True(read.ExitCode == 0, read.ToString());
        Assert.StartsWith("NAME", read.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_TokenWithoutAServer_OrBothEtcdAndServer_ExitsTwoWithoutCallingEither()
    {
        var tokenOnly = await RunAsync("apply", "-f", Example("mesh.yaml"), "--token", "some-token");
        var both = await RunAsync("get", "vs", "--server", controller.Url, "--etcd", etcd.Endpoint);

        Assert.True(tokenOnly.ExitCode == 2, tokenOnly.ToString());
        Assert.Contains("--token: needs --server or $LIGHTMESH_SERVER", tokenOnly.Stderr, StringComparison.Ordinal);
        Assert.True(both.ExitCode == 2, both.ToString());
        Assert.Contains("--etcd, --server: give one", both.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WeightsAndInstances_ViaServer_MatchWhatEtcdSays_AndWeightsNeedAnAdmin()
    {
        var file = await FileAsync("wts.yaml", TestMeshes.Join(TestMeshes.Service("wts"), TestMeshes.Rule("wts", ["v1", "v2"]), TestMeshes.DefaultRoute("wts", "v1")));
        Assert.Equal(0, (await Api(controller.AdminToken, "apply", "-f", file)).ExitCode);

        var refused = await Api(controller.ViewerToken, "weights", "wts", "v1=50", "v2=50");
        var changed = await Api(controller.AdminToken, "weights", "wts", "v1=70", "v2=30");
        var invalid = await Api(controller.AdminToken, "weights", "wts", "v1=70", "v2=40");

        Assert.True(refused.ExitCode == 7, refused.ToString());
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Contains("primary: v1=70 v2=30", (await Etcd("get", "vs", "wts")).Stdout, StringComparison.Ordinal);
        Assert.True(invalid.ExitCode == 2, invalid.ToString());
        Assert.Contains("100", invalid.Stderr, StringComparison.Ordinal);

        using var connection = etcd.Connect(controller.Prefix);
        var registry = new LightMesh.Etcd.Registry.InstanceRegistry(connection, TimeProvider.System, EtcdFixture.Logger<LightMesh.Etcd.Registry.InstanceRegistry>());
        var outcome = await registry.RegisterAsync(new LightMesh.Core.Mesh.Instance { Service = "wts", Id = "wts-a", Version = "v1", Address = "127.0.0.1", Port = 9 }, TimeSpan.FromSeconds(10), default);
        await using var instance = outcome.Registration!;
        var viaServer = await Poll.UntilAsync(() => Api(controller.ViewerToken, "instances", "wts", "-o", "json"), r => r.Stdout.Contains("wts-a", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the instance");
        var table = await Api(controller.ViewerToken, "instances", "wts");
        Assert.Equal("wts-a", JsonNode.Parse(viaServer.Stdout)!.AsArray().Single()!["id"]!.GetValue<string>());
        Assert.Matches("wts-a +v1 +127.0.0.1:9", table.Stdout);
    }

    private Task<Result> Api(string token, params string[] args) => RunAsync([.. args, "--server", controller.Url, "--token", token]);

    private Task<Result> Etcd(params string[] args) => RunAsync([.. args, "--etcd", etcd.Endpoint, "--prefix", controller.Prefix]);

    /// <summary>The CLI with the controller in $LIGHTMESH_SERVER and no token from its environment: HOME is <paramref name="home"/>.</summary>
    private ProcessStartInfo FromEnvironment(string home, params string[] args)
    {
        var info = StartInfo(args);
        info.Environment["LIGHTMESH_SERVER"] = controller.Url;
        info.Environment["HOME"] = home;
        info.Environment.Remove("LIGHTMESH_TOKEN");
        return info;
    }

    private async Task<string> FileAsync(string name, string text)
    {
        var file = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(file, text);
        return file;
    }
}
