using LightMesh.Discovery.Registration;
using LightMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LightMesh.Discovery.Tests;

/// <summary>AddLightMeshRegistration in an app started in this process, where the test can take etcd away from it.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class RegistrationHostTests(EtcdFixture etcd)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task AddLightMeshRegistration_PortUnset_RegistersThePortTheServerBound()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var app = await StartAppAsync(mesh.Etcd.Endpoint, mesh.Prefix);

        var state = app.Services.GetRequiredService<RegistrationState>();
        var instance = Assert.Single(await Poll.UntilAsync(mesh.InstancesAsync, list => list.Count > 0, TimeSpan.FromSeconds(10), "registration"));

        Assert.Equal(new Uri(app.Urls.Single()).Port, instance.Port);
        Assert.Equal((instance.Id, instance.Port), (state.Instance?.Id, state.Instance?.Port));
        Assert.True(state.Registered);
    }

    [Fact]
    public async Task StopAsync_Registered_RevokesTheLeaseBeforeReturning()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var app = await StartAppAsync(mesh.Etcd.Endpoint, mesh.Prefix, ttl: TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(mesh.InstancesAsync, list => list.Count > 0, TimeSpan.FromSeconds(10), "registration");

        await app.StopAsync();

        Assert.Empty(await mesh.InstancesAsync());
    }

    [Fact]
    public async Task AddLightMeshRegistration_EtcdUnreachableLongerThanTheTtl_RegistersAgainWhenItIsBack()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var relay = new TcpRelay(new Uri(mesh.Etcd.Endpoint));
        await using var app = await StartAppAsync(relay.Endpoint, mesh.Prefix);
        var id = Assert.Single(await Poll.UntilAsync(mesh.InstancesAsync, list => list.Count > 0, TimeSpan.FromSeconds(10), "registration")).Id;

        relay.Cut();
        await mesh.WaitForNoInstanceAsync(id, Ttl + TimeSpan.FromSeconds(10)); // etcd itself lets the lease lapse
        relay.Restore();

        await mesh.WaitForInstanceAsync(id, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AddLightMeshRegistration_EtcdUnreachableAtStart_RegistersWhenItComes()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var relay = new TcpRelay(new Uri(mesh.Etcd.Endpoint), cut: true);
        var logs = new LogLines();
        await using var app = await StartAppAsync(relay.Endpoint, mesh.Prefix, logs: logs);
        await Poll.UntilAsync(() => Task.FromResult(logs.Lines), lines => lines.Any(l => l.Contains(": Could not register", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "a failed attempt");
        Assert.False(app.Services.GetRequiredService<RegistrationState>().Registered);

        relay.Restore();

        await Poll.UntilAsync(mesh.InstancesAsync, list => list.Count > 0, TimeSpan.FromSeconds(30), "registration once etcd is reachable");
    }

    [Fact]
    public async Task AddLightMeshRegistration_InvalidOptions_StartFailsNamingEachOptionAndVariable()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddLightMeshRegistration(o =>
        {
            o.Service = null;
            o.Version = "not a version";
            o.Address = "localhost";
            o.Ttl = TimeSpan.FromSeconds(1);
            o.Prefix = "lightmesh";
        });
        await using var app = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        foreach (var expected in new[] { "Service (LIGHTMESH_SERVICE): required", "Version (LIGHTMESH_VERSION):", "Address (LIGHTMESH_ADDRESS):", "Ttl (LIGHTMESH_TTL):", "Prefix (LIGHTMESH_PREFIX):" })
        {
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>An empty web app on a port the server picks, registered as demo v1 with every setting given in code.</summary>
    private static async Task<WebApplication> StartAppAsync(string etcdEndpoint, string prefix, TimeSpan? ttl = null, LogLines? logs = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddLightMeshRegistration(o =>
        {
            o.Service = Mesh.Service;
            o.Version = "v1";
            o.Address = "127.0.0.1";
            o.Port = null;
            o.Ttl = ttl ?? Ttl;
            o.DrainDelay = TimeSpan.Zero;
            o.Etcd = etcdEndpoint;
            o.Prefix = prefix;
        });
        var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        return app;
    }
}
