using System.Threading.Channels;
using LightMesh.ControlPlane.Publishing;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LightMesh.ControlPlane.Tests;

public sealed class DebouncerTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Waits for the burst to end, moving the fake clock on 10 ms at each look: on a loaded machine the debouncer's
    /// continuation may start its quiet timer after the test has advanced the clock, and then only more time ends it.
    /// </summary>
    private static Task<bool> CompletesAsync(Task task, FakeTimeProvider time) =>
        Poll.UntilAsync(
            () =>
            {
                if (!task.IsCompleted)
                {
                    time.Advance(TimeSpan.FromMilliseconds(10));
                }

                return Task.FromResult(task.IsCompleted);
            },
            done => done,
            TimeSpan.FromSeconds(5),
            "the burst to end");

    /// <summary>Waits until the debouncer has read every change written, so each is seen at its own time.</summary>
    private static Task<bool> ReadAsync(Channel<long> changes, Task next) =>
        Poll.UntilAsync(() => Task.FromResult(changes.Reader.Count == 0 || next.IsCompleted), seen => seen, TimeSpan.FromSeconds(5), "the change to be read");

    /// <summary>Advances the fake clock in small steps, letting the debouncer's continuations run between them.</summary>
    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan by)
    {
        for (var step = TimeSpan.Zero; step < by; step += TimeSpan.FromMilliseconds(10))
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Yield();
        }
    }

    /// <summary>A debouncer that has just let change 0 out at once, so what follows now belongs to a burst.</summary>
    private static async Task<Debouncer> JustPushedAsync(FakeTimeProvider time, Channel<long> changes)
    {
        var debouncer = new Debouncer(time, Quiet, Max);
        changes.Writer.TryWrite(0);
        Assert.Equal(0, await debouncer.NextAsync(changes.Reader, default));
        return debouncer;
    }

    [Fact]
    public async Task NextAsync_AChangeAfterAQuietPeriod_GoesOutAtOnce()
    {
        var time = new FakeTimeProvider();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);

        await AdvanceAsync(time, Quiet);
        changes.Writer.TryWrite(1);
        changes.Writer.TryWrite(2);

        // Completed without the clock moving: no wait at all, and what came together goes together.
        var next = debouncer.NextAsync(changes.Reader, default);
        Assert.True(next.IsCompleted, "a change after a quiet period waited");
        Assert.Equal(2, await next);
    }

    [Fact]
    public async Task NextAsync_Burst_EndsAfterTheQuietPeriodWithTheLastChange()
    {
        var time = new FakeTimeProvider();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(20));
        changes.Writer.TryWrite(1);
        var next = debouncer.NextAsync(changes.Reader, default);
        await ReadAsync(changes, next);
        Assert.False(next.IsCompleted, "a change 20 ms after the last went out at once");

        await AdvanceAsync(time, TimeSpan.FromMilliseconds(50));
        changes.Writer.TryWrite(2);
        await ReadAsync(changes, next);
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(60));
        Assert.False(next.IsCompleted, "ended before 100 ms had passed without a change");

        await AdvanceAsync(time, TimeSpan.FromMilliseconds(60));
        await CompletesAsync(next, time);
        Assert.Equal(2, await next);
    }

    [Fact]
    public async Task NextAsync_ChangesNeverStop_EndsAtTheMaximumWait()
    {
        var time = new FakeTimeProvider();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(20));
        changes.Writer.TryWrite(0);
        var next = debouncer.NextAsync(changes.Reader, default);

        for (var i = 1; i <= 40 && !next.IsCompleted; i++)
        {
            changes.Writer.TryWrite(i);

            // The debouncer must see each change at its own time: on a loaded machine this loop could otherwise
            // run its whole course before the debouncer's continuation gets a thread, and it would read all 40.
            await ReadAsync(changes, next);
            await AdvanceAsync(time, TimeSpan.FromMilliseconds(50));
        }

        await CompletesAsync(next, time);
        Assert.InRange(await next, 19, 24);
    }
}
