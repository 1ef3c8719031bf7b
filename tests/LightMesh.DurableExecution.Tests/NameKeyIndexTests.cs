using LightMesh.Etcd;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

/// <summary>
/// Events and subscriptions are found by their name and key through an index, not a read of every one: WorkflowCore asks
/// for them at every event it delivers. The index must hold exactly what is stored, including what was stored before it.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class NameKeyIndexTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTime T0 = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    private EtcdPersistenceProvider Store => new(_connection, WorkflowFence.None, [typeof(Canary)], new FakeTimeProvider(T0));

    private Task<string> Subscribe(string name, string key) =>
        Store.CreateEventSubscription(new EventSubscription { WorkflowId = "w", EventName = name, EventKey = key, SubscribeAsOf = T0 }, default);

    private Task<string> Publish(string name, string key) =>
        Store.CreateEvent(new Event { EventName = name, EventKey = key, EventTime = T0, EventData = new Canary(key, 50, T0) }, default);

    private async Task<List<string>> IndexAsync() =>
        (await _connection.RangePrefixAsync(_connection.Keys.WorkflowEventIndex, 0, default)).Kvs
            .Concat((await _connection.RangePrefixAsync(_connection.Keys.WorkflowSubscriptionIndex, 0, default)).Kvs)
            .Select(kv => kv.Key.ToStringUtf8())
            .ToList();

    [Fact]
    public async Task NamesAndKeysWithSlashes_AreKeptApart()
    {
        var split = await Subscribe("wake", "a/b");
        var other = await Subscribe("wake/a", "b");
        var published = await Publish("wake", "a/b");

        Assert.Equal([split], (await Store.GetSubscriptions("wake", "a/b", T0, default)).Select(s => s.Id));
        Assert.Equal([other], (await Store.GetSubscriptions("wake/a", "b", T0, default)).Select(s => s.Id));
        Assert.Equal([published], await Store.GetEvents("wake", "a/b", T0, default));
        Assert.Empty(await Store.GetEvents("wake/a", "b", T0, default));
    }

    [Fact]
    public async Task TerminateAndPurge_TakeTheIndexEntriesWithThem()
    {
        var subscription = await Subscribe("wake", "r1");
        var published = await Publish("wake", "r2");
        await Store.MarkEventProcessed(published, default);
        Assert.Equal(2, (await IndexAsync()).Count);

        await Store.TerminateSubscription(subscription, default);
        await Store.PurgeAsync(T0.AddHours(1), default);

        Assert.Null(await Store.GetEvent(published, default));
        Assert.Empty(await IndexAsync());
    }

    /// <summary>A store written before the index: its host's start indexes it, so a wake-up still finds its wait.</summary>
    [Fact]
    public async Task EventsAndSubscriptionsStoredBeforeTheIndex_AreIndexedWhenAHostStarts()
    {
        var subscription = await Subscribe("wake", "r1");
        var published = await Publish("wake", "r1");
        await new GuardedTxn().DeletePrefix(_connection.Keys.WorkflowEventIndex).DeletePrefix(_connection.Keys.WorkflowSubscriptionIndex).CommitAsync(_connection, default);
        Assert.Empty(await Store.GetSubscriptions("wake", "r1", T0, default));

        await using (await RunningHost.StartAsync(_connection, "indexer", default))
        {
        }

        Assert.Equal([subscription], (await Store.GetSubscriptions("wake", "r1", T0, default)).Select(s => s.Id));
        Assert.Equal([published], await Store.GetEvents("wake", "r1", T0, default));
        Assert.Equal(0, await Store.IndexStoredAsync(default));
    }
}
