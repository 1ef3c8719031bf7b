using System.Text.Json.Nodes;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Releases;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>apply</c>, <c>weights</c> and <c>delete</c> over what a running release manages, through a real controller
/// process's API (<c>--server</c>) and straight to its etcd: the same refusal and exit 3 both ways, and <c>--force</c>.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ManagedRoutesVerbTests(EtcdFixture etcd, ControllerProcessFixture controller) : IClassFixture<ControllerProcessFixture>, IDisposable
{
    private static readonly string Mesh = TestMeshes.Join(
        TestMeshes.Service("orders"),
        TestMeshes.Rule("orders", [new("stable", "v1")]),
        TestMeshes.DefaultRoute("orders", "stable"),
        TestMeshes.Workflow("orders-hold", "  - pause: {}\n  - promote: {}"));

    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-managed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ApplyWeightsDelete_OverAReleasesRoutes_ExitThreeNamingTheRelease_ViaServerAndEtcdAlike_AndForceWritesInTheCallersName()
    {
        var mesh = Path.Combine(_directory, "mesh.yaml");
        await File.WriteAllTextAsync(mesh, Mesh);
        Assert.Equal(0, (await Api(controller.AdminToken, "apply", "-f", mesh)).ExitCode);
        var started = await Api(controller.Token, "release", "start", "orders", "v2", "--workflow", "orders-hold", "-o", "json");
        Assert.True(started.ExitCode == 0, started.ToString());
        var id = JsonNode.Parse(started.Stdout)!["id"]!.GetValue<string>();
        var moved = Path.Combine(_directory, "moved.yaml");
        await File.WriteAllTextAsync(moved, TestMeshes.Rule("orders", [new("stable", "v9")]));

        string[][] writes = [["apply", "-f", moved], ["weights", "orders", "stable=100"], ["delete", "vs", "orders"]];
        foreach (var write in writes)
        {
            var viaServer = await Api(controller.AdminToken, write);
            var viaEtcd = await Etcd(write);

            Assert.True(viaServer.ExitCode == 3, viaServer.ToString());
            Assert.True(viaEtcd.ExitCode == 3, viaEtcd.ToString());
            Assert.Contains($": managed by release {id} (active); abort or finish it, or ", viaServer.Stderr, StringComparison.Ordinal);
            Assert.Equal(viaServer.Stderr, viaEtcd.Stderr);
        }

        Assert.Equal(
            $"conflict: DestinationRule/orders spec.subsets[stable]: managed by release {id} (active); abort or finish it, or apply with --force\n",
            (await Etcd("apply", "-f", moved)).Stderr);
        using var connection = etcd.Connect(controller.Prefix);
        var documents = new DocumentStore(connection);
        Assert.Equal("v1", Assert.IsType<DestinationRule>(await documents.GetAsync(DocumentKind.DestinationRule, "orders", default)).Spec.Subsets.Single().Labels["version"]);
        Assert.NotNull(await documents.GetAsync(DocumentKind.VirtualService, "orders", default));

        var forcedOnEtcd = StartInfo(["apply", "-f", moved, "--force", "--etcd", etcd.Endpoint, "--prefix", controller.Prefix]);
        forcedOnEtcd.Environment["USER"] = "alice";
        var forced = await RunAsync(forcedOnEtcd);
        var forcedViaServer = await Api(controller.AdminToken, "weights", "orders", "stable=100", "--force");

        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal("DestinationRule/orders configured\n", forced.Stdout);
        Assert.True(forcedViaServer.ExitCode == 0, forcedViaServer.ToString());
        var release = (await new ReleaseStore(connection).GetAsync(id, default)).State!;
        Assert.Equal(ReleasePhase.Paused, release.Phase);
        Assert.Equal(
            [("alice", "applied DestinationRule/orders spec.subsets[stable]"), ("root", "weights of VirtualService/orders spec.http[0].route set to stable=100")],
            release.Events.Where(e => e.Action == "routes changed").Select(e => (e.Actor, e.Reason)));
    }

    // --token=VALUE: a generated token may begin with "-", which the parser would take for an option.
    private Task<Result> Api(string token, params string[] args) => RunAsync([.. args, "--server", controller.Url, $"--token={token}"]);

    private Task<Result> Etcd(params string[] args) => RunAsync([.. args, "--etcd", etcd.Endpoint, "--prefix", controller.Prefix]);
}
