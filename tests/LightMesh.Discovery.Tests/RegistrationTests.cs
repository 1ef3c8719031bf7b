using System.Diagnostics;
using LightMesh.Testing;

namespace LightMesh.Discovery.Tests;

/// <summary>Self-registration as users see it: the demo service, run as a real process, in a real etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class RegistrationTests(EtcdFixture etcd)
{
    private static readonly TimeSpan Registering = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task DemoService_Started_IsRegisteredWithItsPortVersionAndNode()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, version: "v2");

        var instance = await mesh.WaitForInstanceAsync(demo.Id, Registering);

        Assert.Equal(("127.0.0.1", demo.Port, "v2", "node-1"), (instance.Address, instance.Port, instance.Version, instance.Node));
        Assert.Equal("v2", instance.Labels["version"]);
    }

    [Fact]
    public async Task DemoService_PortZero_RegistersThePortTheServerBound()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, port: 0);

        var instance = Assert.Single(await Poll.UntilAsync(mesh.InstancesAsync, list => list.Count > 0, Registering, "the demo to register"));

        Assert.NotEqual(0, instance.Port);
        using var http = new HttpClient();
        Assert.Equal("demo v1\n", await http.GetStringAsync(new Uri($"http://127.0.0.1:{instance.Port}/")));
    }

    [Fact]
    public async Task DemoService_SigTerm_DeregistersAtOnceAndExitsCleanly()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, ttl: "30s");
        await mesh.WaitForInstanceAsync(demo.Id, Registering);

        var stopping = Stopwatch.StartNew();
        var exited = demo.TerminateAsync();
        await mesh.WaitForNoInstanceAsync(demo.Id, TimeSpan.FromSeconds(10));
        var gone = stopping.Elapsed;

        Assert.True(gone < TimeSpan.FromSeconds(2), $"took {gone} with a 30s lease: the lease was not revoked\n{demo}");
        Assert.Equal(0, await exited);
        Assert.Contains("Deregistered demo/", demo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoService_Killed_DisappearsWithinTheLeaseTtl()
    {
        var ttl = TimeSpan.FromSeconds(2);
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, ttl: "2s");
        await mesh.WaitForInstanceAsync(demo.Id, Registering);

        await demo.KillAsync();
        var killed = Stopwatch.StartNew();
        await mesh.WaitForNoInstanceAsync(demo.Id, ttl + TimeSpan.FromSeconds(5));

        Assert.True(killed.Elapsed <= ttl + TimeSpan.FromSeconds(1), $"took {killed.Elapsed} with a {ttl} lease");
    }

    [Fact]
    public async Task DemoService_ServiceNotApplied_RegistersOnceItIs()
    {
        using var mesh = await Mesh.CreateAsync(etcd, withService: false);
        await using var demo = await DemoProcess.StartAsync(mesh);
        await Poll.UntilAsync(() => Task.FromResult(demo.Output), output => output.Contains("no Service named", StringComparison.Ordinal), Registering, "the refusal to be logged");

        await mesh.ApplyServiceAsync();

        await mesh.WaitForInstanceAsync(demo.Id, Registering);
    }

    [Fact]
    public async Task DemoService_UnreadableEnvironment_ExitsNamingEveryVariable()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = DemoProcess.Launch(new Dictionary<string, string>
        {
            ["PORT"] = "http",
            ["LIGHTMESH_VERSION"] = "v2 beta",
            ["LIGHTMESH_TTL"] = "1s",
            ["LIGHTMESH_ETCD"] = "127.0.0.1:2379",
            ["ERROR_RATE"] = "2",
        });

        await Poll.UntilAsync(() => Task.FromResult(demo.HasExited), exited => exited, TimeSpan.FromSeconds(30), "the demo to exit");

        Assert.Equal(2, demo.ExitCode);
        foreach (var variable in new[] { "(PORT)", "(LIGHTMESH_VERSION)", "(LIGHTMESH_TTL)", "(LIGHTMESH_ETCD)", "ERROR_RATE" })
        {
            Assert.Contains(variable, demo.Output, StringComparison.Ordinal);
        }
    }
}
