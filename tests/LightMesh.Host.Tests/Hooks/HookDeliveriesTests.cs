using LightMesh.ControlPlane.Mesh;
using LightMesh.Etcd;
using LightMesh.Etcd.Watching;
using LightMesh.Host.Hooks;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LightMesh.Host.Tests.Hooks;

/// <summary>
/// The record of webhook deliveries: one sent again while the first is still handled is answered as soon as the first
/// is done; deliveries are kept for a week, then deleted, and a recent one stays.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class HookDeliveriesTests(EtcdFixture etcd)
{
    private static EtcdMeshSource Watched(EtcdConnection connection) =>
        new(connection, new PrefixWatcher(connection, TimeProvider.System, EtcdFixture.Logger<PrefixWatcher>()), EtcdFixture.Logger<EtcdMeshSource>());

    [Fact]
    public async Task ClaimAsync_DeliveryStillBeingHandled_IsAnsweredWhenTheFirstHandlerRecordsItsRelease()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watched = Watched(connection);
        var watching = watched.RunAsync(stop.Token);

        // The injected clock never moves: only the watch can end the second request's wait.
        var deliveries = new HookDeliveries(connection, watched, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var first = await deliveries.ClaimAsync("github", "delivery-1", "github:ci", default);
        var again = deliveries.ClaimAsync("github", "delivery-1", "github:ci", stop.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(300), stop.Token);
        Assert.False(again.IsCompleted);

        await deliveries.CompleteAsync(first, "checkout-v2-1", "github:ci", default);
        var answer = await again.WaitAsync(TimeSpan.FromSeconds(10), stop.Token);

        Assert.Equal(DeliveryClaimState.Done, answer.State);
        Assert.Equal("checkout-v2-1", answer.Release);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
    }

    [Fact]
    public async Task PurgeAsync_DeletesDeliveriesOlderThanTheRetention_AndKeepsRecentOnes()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var deliveries = new HookDeliveries(connection, Watched(connection), time);
        var old = await deliveries.ClaimAsync("github", "old-delivery", "github:ci", default);
        await deliveries.CompleteAsync(old, "checkout-v2-1", "github:ci", default);
        time.Advance(TimeSpan.FromDays(8));
        await deliveries.ClaimAsync("github", "new-delivery", "github:ci", default);

        Assert.Equal(1, await deliveries.PurgeAsync(HookDeliveryPurger.Retention, default));

        var left = await connection.RangePrefixAsync(connection.Keys.HookDeliveries, 0, default);
        Assert.Equal(connection.Keys.HookDelivery("github", "new-delivery"), Assert.Single(left.Kvs).Key.ToStringUtf8());
    }
}
