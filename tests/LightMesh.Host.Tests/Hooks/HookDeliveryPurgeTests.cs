using LightMesh.Host.Hooks;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LightMesh.Host.Tests.Hooks;

/// <summary>Webhook deliveries are kept for a week, then deleted; a recent one stays.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class HookDeliveryPurgeTests(EtcdFixture etcd)
{
    [Fact]
    public async Task PurgeAsync_DeletesDeliveriesOlderThanTheRetention_AndKeepsRecentOnes()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var deliveries = new HookDeliveries(connection, time);
        var old = await deliveries.ClaimAsync("github", "old-delivery", "github:ci", default);
        await deliveries.CompleteAsync(old, "checkout-v2-1", "github:ci", default);
        time.Advance(TimeSpan.FromDays(8));
        await deliveries.ClaimAsync("github", "new-delivery", "github:ci", default);

        Assert.Equal(1, await deliveries.PurgeAsync(HookDeliveryPurger.Retention, default));

        var left = await connection.RangePrefixAsync(connection.Keys.HookDeliveries, 0, default);
        Assert.Equal(connection.Keys.HookDelivery("github", "new-delivery"), Assert.Single(left.Kvs).Key.ToStringUtf8());
    }
}
