using LightMesh.Etcd;
using LightMesh.Testing;
using WorkflowCore.Models;

namespace LightMesh.Workflows.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class EventTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTime T0 = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private EtcdPersistenceProvider Store => new(_connection, WorkflowFence.None, [typeof(Canary)]);

    [Fact]
    public async Task GetRunnableEvents_EffectiveDateInTheFuture_WaitsUntilItComes()
    {
        var id = await Publish("go", "checkout", T0);

        Assert.Empty(await Store.GetRunnableEvents(T0.AddSeconds(-1), default));
        Assert.Equal([id], await Store.GetRunnableEvents(T0, default));
    }

    [Fact]
    public async Task MarkEventProcessed_ThenUnprocessed_LeavesAndRejoinsTheRunnableEvents()
    {
        var id = await Publish("go", "checkout", T0);

        await Store.MarkEventProcessed(id, default);
        Assert.Empty(await Store.GetRunnableEvents(T0, default));
        Assert.True((await Store.GetEvent(id, default))!.IsProcessed);

        await Store.MarkEventUnprocessed(id, default);
        Assert.Equal([id], await Store.GetRunnableEvents(T0, default));
        Assert.Equal(new Canary("checkout", 50, T0), (await Store.GetEvent(id, default))!.EventData);
    }

    [Fact]
    public async Task GetEvents_ByNameKeyAndAsOf_ReturnsProcessedOnesTooButNotOlderOnes()
    {
        var early = await Publish("go", "checkout", T0);
        var late = await Publish("go", "checkout", T0.AddMinutes(1));
        await Publish("go", "payments", T0);
        await Publish("stop", "checkout", T0);
        await Store.MarkEventProcessed(late, default);

        Assert.Equal([early, late], await Store.GetEvents("go", "checkout", DateTime.MinValue, default));
        Assert.Equal([late], await Store.GetEvents("go", "checkout", T0.AddSeconds(1), default));
    }

    [Fact]
    public async Task MarkEventProcessed_UnknownEvent_DoesNothing()
    {
        await Store.MarkEventProcessed("missing", default);

        Assert.Null(await Store.GetEvent("missing", default));
    }

    private Task<string> Publish(string name, string key, DateTime time) =>
        Store.CreateEvent(new Event { EventName = name, EventKey = key, EventTime = time, EventData = new Canary(key, 50, T0) }, default);
}
