using System.Diagnostics;
using LightMesh.Core.Mesh;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class RegistryTests(EtcdFixture etcd) : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private InstanceRegistry Registry => new(_connection, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());

    private static Instance Checkout(int port = 8081) => new()
    {
        Service = "checkout", Id = Instance.DefaultId("127.0.0.1", port), Version = "v1",
        Address = "127.0.0.1", Port = port, Node = "node-1",
    };

    private async Task ApplyServiceAsync() =>
        Assert.Equal(WriteOutcome.Applied, (await new DocumentStore(_connection).ApplyAsync(TestMeshes.Parse(TestMeshes.Service()), default)).Outcome);

    [Fact]
    public async Task RegisterAsync_KeptAlive_OutlivesItsTtlWithVersionLabel()
    {
        await ApplyServiceAsync();
        var outcome = await Registry.RegisterAsync(Checkout(), Ttl, default);
        await using var registration = outcome.Registration!;

        var stillThere = await Poll.UntilAsync(() => Registry.ListAsync("checkout", default), _ => registration.Lease != 0, TimeSpan.FromSeconds(1), "registration");
        var start = Stopwatch.StartNew();
        while (start.Elapsed < Ttl * 2)
        {
            stillThere = await Registry.ListAsync("checkout", default);
            Assert.Single(stillThere);
            await Task.Delay(250);
        }

        Assert.Equal("v1", stillThere[0].Instance.Labels["version"]);
        Assert.InRange(stillThere[0].TimeToLive, TimeSpan.FromSeconds(1), Ttl);
    }

    [Fact]
    public async Task RegisterAsync_KeepAlivesStop_InstanceDisappearsWithinTtlPlusOneSecond()
    {
        await ApplyServiceAsync();
        var registration = (await Registry.RegisterAsync(Checkout(), Ttl, default)).Registration!;

        await registration.StopAsync(revoke: false, default);
        var stopped = Stopwatch.StartNew();
        await Poll.UntilAsync(() => Registry.ListAsync("checkout", default), list => list.Count == 0, Ttl + TimeSpan.FromSeconds(5), "the instance to expire");

        Assert.True(stopped.Elapsed <= Ttl + TimeSpan.FromSeconds(1), $"took {stopped.Elapsed}");
    }

    [Fact]
    public async Task StopAsyncWithRevoke_ALeaseThatLapsedAlready_IsNotAFailure()
    {
        await ApplyServiceAsync();
        var registration = (await Registry.RegisterAsync(Checkout(), TimeSpan.FromSeconds(30), default)).Registration!;
        await _connection.LeaseRevokeAsync(registration.Lease, default);

        await registration.StopAsync(revoke: true, default);

        Assert.Empty(await Registry.ListAsync("checkout", default));
    }

    [Fact]
    public async Task DisposeAsync_RevokesTheLease_InstanceGoesAtOnce()
    {
        await ApplyServiceAsync();
        var registration = (await Registry.RegisterAsync(Checkout(), TimeSpan.FromSeconds(30), default)).Registration!;

        await registration.DisposeAsync();

        Assert.Empty(await Registry.ListAsync("checkout", default));
    }

    [Fact]
    public async Task RegisterAsync_UnknownService_FailsWithReasonAndWritesNothing()
    {
        var outcome = await Registry.RegisterAsync(Checkout(), Ttl, default);

        Assert.False(outcome.Succeeded);
        Assert.Equal("no Service named \"checkout\"; apply it first", outcome.Conflict);
        Assert.Empty(await Registry.ListAllAsync(default));
    }

    [Fact]
    public async Task RegisterAsync_IdTaken_IsAConflict()
    {
        await ApplyServiceAsync();
        await using var first = (await Registry.RegisterAsync(Checkout(), Ttl, default)).Registration!;

        var second = await Registry.RegisterAsync(Checkout(), Ttl, default);

        Assert.Contains("already registered", second.Conflict, StringComparison.Ordinal);
    }
}
