using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;
using WorkflowCore.Interface;

namespace LightMesh.DurableExecution.Tests;

/// <summary>The work queue takes an id once however often it is queued, and a running id at most once per pause.</summary>
public sealed class CoalescingQueueProviderTests
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    /// <summary>Takes ids until one comes; the clock is not moved, so an id held for a pause never comes.</summary>
    private static Task<string> TakeAsync(CoalescingQueueProvider queue) =>
        Poll.UntilAsync(async () => await queue.DequeueWork(QueueType.Workflow, default), id => id is not null, TimeSpan.FromSeconds(5), "an id from the queue")!;

    [Fact]
    public async Task QueueWork_AnIdAlreadyWaiting_IsTakenOnce_AndIdsKeepTheirOrder()
    {
        using var queue = new CoalescingQueueProvider(new FakeTimeProvider(), Pause);
        foreach (var id in new[] { "a", "b", "a", "c", "b" })
        {
            await queue.QueueWork(id, QueueType.Workflow);
        }

        Assert.Equal(["a", "b", "c"], [await TakeAsync(queue), await TakeAsync(queue), await TakeAsync(queue)]);
        Assert.Null(await queue.DequeueWork(QueueType.Workflow, default));

        // Another queue of the same provider is its own.
        await queue.QueueWork("a", QueueType.Event);
        Assert.Equal("a", await queue.DequeueWork(QueueType.Event, default));
    }

    [Fact]
    public async Task QueueWork_AnIdQueuedAgainRightAfterItWasTaken_WaitsOutThePause()
    {
        var time = new FakeTimeProvider();
        using var queue = new CoalescingQueueProvider(time, Pause);
        await queue.QueueWork("running", QueueType.Workflow);
        Assert.Equal("running", await TakeAsync(queue));

        // Put back at once, as a consumer does with an id whose work is still running; and again, by the poller.
        await queue.QueueWork("running", QueueType.Workflow);
        await queue.QueueWork("running", QueueType.Workflow);
        await queue.QueueWork("other", QueueType.Workflow);
        time.Advance(Pause / 2);
        Assert.Equal("other", await TakeAsync(queue));
        Assert.Null(await queue.DequeueWork(QueueType.Workflow, default));

        time.Advance(Pause / 2);
        Assert.Equal("running", await TakeAsync(queue));
        Assert.Null(await queue.DequeueWork(QueueType.Workflow, default));

        // Taken longer than a pause ago: back at once.
        time.Advance(Pause);
        await queue.QueueWork("running", QueueType.Workflow);
        Assert.Equal("running", await queue.DequeueWork(QueueType.Workflow, default));
    }
}
