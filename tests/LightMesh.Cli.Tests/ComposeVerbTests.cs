using LightMesh.Processes;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

[Collection(DockerCollectionDefinition.Name)]
public sealed class ComposeVerbTests(EtcdFixture etcd, DockerFixture docker) : IAsyncLifetime
{
    private readonly string _prefix = etcd.NewPrefix();
    private readonly string _node = $"c{Guid.NewGuid():N}"[..12];
    private readonly int _port = LoopbackPort.Free();

    private Task<Result> Lightmesh(params string[] args) => RunAsync([.. args, "--etcd", etcd.Endpoint, "--prefix", _prefix]);

    public async Task InitializeAsync()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "node.yaml");
        await File.WriteAllTextAsync(file, $$"""
            apiVersion: lightmesh.io/v1
            kind: Node
            metadata: {name: {{_node}}}
            spec: {address: 127.0.0.1}
            ---
            apiVersion: lightmesh.io/v1
            kind: Service
            metadata: {name: web}
            spec:
              protocol: http
              port: {{_port}}
              deploy:
                image: {{DockerFixture.WebImage}}
                versions: {stable: v1}
                stopGracePeriod: 1s
            """);
        var applied = await Lightmesh("apply", "-f", file);
        Assert.True(applied.ExitCode == 0, applied.ToString());
    }

    public Task DisposeAsync() => docker.RemoveProjectAsync($"lightmesh-{_node}");

    [Fact]
    public async Task ComposeVerbs_RenderApplyDiffHistoryUndo()
    {
        var render = await Lightmesh("compose", "render", "--node", _node, "--canary", "web=v2");
        Assert.True(render.ExitCode == 0, render.ToString());
        Assert.Contains("web-v2-canary-1:", render.Stdout, StringComparison.Ordinal);
        Assert.Contains($"PORT: \"{_port + 100}\"", render.Stdout, StringComparison.Ordinal);

        var apply = await Lightmesh("compose", "apply", "--node", _node);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("create web-v1-1", apply.Stdout, StringComparison.Ordinal);

        var diff = await Lightmesh("compose", "diff", "--node", _node);
        Assert.Matches(@"keep\s+web-v1-1\s+up to date", diff.Stdout);

        var history = await Lightmesh("compose", "history", "--node", _node, "-o", "json");
        Assert.Contains("\"kind\": \"apply\"", history.Stdout, StringComparison.Ordinal);

        var undo = await Lightmesh("compose", "undo", "--node", _node);
        Assert.Equal(2, undo.ExitCode);
        Assert.Contains("no earlier revision", undo.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComposeVerbs_BadInput_UseTheDocumentedExitCodes()
    {
        Assert.Equal(4, (await Lightmesh("compose", "render", "--node", "nope")).ExitCode);
        Assert.Equal(2, (await Lightmesh("compose", "render", "--node", _node, "--canary", "web")).ExitCode);
        Assert.Equal(2, (await Lightmesh("compose", "render", "--node", _node, "--canary", "nosuch=v2")).ExitCode);
        Assert.Equal(2, (await Lightmesh("compose", "render")).ExitCode);
    }
}
