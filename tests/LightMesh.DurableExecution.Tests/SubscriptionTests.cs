using LightMesh.Etcd;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

[Collection(EtcdCollectionDefinition.Name)]
public sealed class SubscriptionTests(EtcdFixture etcd) : IDisposable
{
    private static readonly DateTime T0 = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());
    private readonly FakeTimeProvider _time = new(T0);

    public void Dispose() => _connection.Dispose();

    private EtcdPersistenceProvider Store => new(_connection, WorkflowFence.None, [], _time);

    [Fact]
    public async Task GetSubscriptions_ByNameKeyAndAsOf_ReturnsThoseThatBeganByThen()
    {
        var early = await Subscribe("go", "checkout", T0);
        var late = await Subscribe("go", "checkout", T0.AddMinutes(1));
        await Subscribe("go", "payments", T0);

        Assert.Equal([early], (await Store.GetSubscriptions("go", "checkout", T0.AddSeconds(1), default)).Select(s => s.Id));
        Assert.Equal([early, late], (await Store.GetSubscriptions("go", "checkout", T0.AddMinutes(1), default)).Select(s => s.Id));
        Assert.Empty(await Store.GetSubscriptions("go", "checkout", T0.AddSeconds(-1), default));
    }

    [Fact]
    public async Task SetSubscriptionToken_SecondWorkerWhileTheFirstTokenIsUnexpired_IsRefused()
    {
        var id = await Subscribe("activity", "deploy", T0);
        Assert.Equal(id, (await Store.GetFirstOpenSubscription("activity", "deploy", T0, default))!.Id);

        Assert.True(await Store.SetSubscriptionToken(id, "t1", "worker-1", T0.AddMinutes(1), default));
        Assert.False(await Store.SetSubscriptionToken(id, "t2", "worker-2", T0.AddMinutes(1), default));

        Assert.Null(await Store.GetFirstOpenSubscription("activity", "deploy", T0, default));
        Assert.Equal(("t1", "worker-1"), await Holder(id));
    }

    [Fact]
    public async Task SetSubscriptionToken_AfterTheFirstTokenExpires_GoesToTheSecondWorker()
    {
        var id = await Subscribe("activity", "deploy", T0);
        await Store.SetSubscriptionToken(id, "t1", "worker-1", T0.AddMinutes(1), default);

        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.True(await Store.SetSubscriptionToken(id, "t2", "worker-2", T0.AddMinutes(3), default));
        Assert.Equal(("t2", "worker-2"), await Holder(id));
    }

    [Fact]
    public async Task ClearSubscriptionToken_ByItsHolder_ReopensTheSubscription()
    {
        var id = await Subscribe("activity", "deploy", T0);
        await Store.SetSubscriptionToken(id, "t1", "worker-1", T0.AddMinutes(1), default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.ClearSubscriptionToken(id, "t2", default));
        await Store.ClearSubscriptionToken(id, "t1", default);

        Assert.Equal(id, (await Store.GetFirstOpenSubscription("activity", "deploy", T0, default))!.Id);
        Assert.True(await Store.SetSubscriptionToken(id, "t2", "worker-2", T0.AddMinutes(1), default));
    }

    [Fact]
    public async Task TerminateSubscription_RemovesIt()
    {
        var id = await Subscribe("go", "checkout", T0);

        await Store.TerminateSubscription(id, default);

        Assert.Null(await Store.GetSubscription(id, default));
        Assert.Empty(await Store.GetSubscriptions("go", "checkout", T0, default));
        Assert.False(await Store.SetSubscriptionToken(id, "t1", "worker-1", T0.AddMinutes(1), default));
    }

    private Task<string> Subscribe(string name, string key, DateTime asOf) =>
        Store.CreateEventSubscription(new EventSubscription { WorkflowId = "w1", EventName = name, EventKey = key, SubscribeAsOf = asOf, SubscriptionData = 42 }, default);

    private async Task<(string, string)> Holder(string id)
    {
        var subscription = (await Store.GetSubscription(id, default))!;
        return (subscription.ExternalToken, subscription.ExternalWorkerId);
    }
}
