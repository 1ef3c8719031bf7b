using System.Collections.Concurrent;
using Grpc.Core;
using LightMesh.Processes;
using LightMesh.Demo.Service.Protos;
using LightMesh.Discovery.Channels;
using LightMesh.Discovery.Hosting;
using LightMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LightMesh.Discovery.Tests;

/// <summary>The mode of each dependency is one target string: proxy port, fixed address, or name (etcd or xds).</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class MeshChannelsTests(EtcdFixture etcd)
{
    [Fact]
    public async Task ProxyTarget_ConnectsToTheProxyPort_WithTheServicesAuthority()
    {
        // A stand-in for the sidecar's proxy port: a real h2c listener that records the authority each call carries.
        var seen = new ConcurrentQueue<string>();
        var port = LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, l => l.UseHttp1AndH2c()));
        await using var proxy = builder.Build();
        proxy.Run(context =>
        {
            seen.Enqueue(context.Request.Host.Value ?? "");
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await proxy.StartAsync();

        using var channel = MeshChannels.ForTarget($"proxy://127.0.0.1:{port}/demo:8080");
        var call = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).HelloAsync(new HelloRequest { Name = "x" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, call.StatusCode);
        Assert.Equal(["demo:8080"], seen);
        await proxy.StopAsync();
    }

    [Fact]
    public async Task AddressAndEtcdTargets_ReachTheDemo()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, version: "v4");
        await Poll.UntilAsync(() => mesh.Registry.ListAsync(Mesh.Service, default), l => l.Count == 1, TimeSpan.FromSeconds(20), "the demo to register");
        await using var services = new ServiceCollection().AddLightMeshEtcdResolver(mesh.EtcdOptions).BuildServiceProvider();

        foreach (var target in new[] { demo.Url, "etcd:///demo" })
        {
            using var channel = MeshChannels.ForTarget(target, services);
            var reply = await new Echo.EchoClient(channel).HelloAsync(new HelloRequest { Name = "x" }, deadline: DateTime.UtcNow.AddSeconds(20));
            Assert.Equal(("demo", "v4"), (reply.Service, reply.Version));
        }
    }

    [Theory]
    [InlineData("checkout", "it is not a URI")]
    [InlineData("dns:///checkout", "\"dns\" is not a mode")]
    [InlineData("proxy://127.0.0.1:15001/", "a proxy target needs the proxy's HOST:PORT and the service's NAME:PORT")]
    public void BadTarget_SaysWhatIsWrongAndWhichFormsThereAre(string target, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => MeshChannels.ForTarget(target));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("use proxy://PROXY-HOST:PORT/SERVICE:PORT, http://HOST:PORT, etcd:///SERVICE or xds:///SERVICE:PORT", error.Message, StringComparison.Ordinal);
    }
}
