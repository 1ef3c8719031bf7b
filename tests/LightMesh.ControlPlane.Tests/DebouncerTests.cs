using System.Threading.Channels;
using LightMesh.ControlPlane.Publishing;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LightMesh.ControlPlane.Tests;

public sealed class DebouncerTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Waits for the push without moving the fake clock, as its timer is due now; only if it has not come within a second
    /// is the clock moved on 1 ms (the debouncer started its timer just after the test had moved the clock, which can
    /// need up to one 10 ms step), and so on. A debouncer that has not run at all (its thread starved under load) thus
    /// costs a millisecond of fake time per second, not the 10 ms that once made a push look 90 ms late.
    /// </summary>
    private static async Task CompletesAsync(Task task, FakeTimeProvider time)
    {
        for (var look = 0; look < 30 && !task.IsCompleted; look++)
        {
            try
            {
                await task.WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (TimeoutException)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        Assert.True(task.IsCompleted, "the push did not come");
    }

    /// <summary>
    /// The next push, awaited on the thread pool: the debouncer's continuations then do not queue behind other tests' on
    /// the test framework's two threads, where one starved for seconds while the test moved the clock on.
    /// </summary>
    private static Task<long> WaitingAsync(Debouncer debouncer, Channel<long> changes) =>
        Task.Run(() => debouncer.NextAsync(changes.Reader, default));

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

    /// <summary>A debouncer that has just let change 0 out at once, so what follows within <see cref="Quiet"/> waits.</summary>
    private static async Task<Debouncer> JustPushedAsync(FakeTimeProvider time, Channel<long> changes)
    {
        var debouncer = new Debouncer(time, Quiet);
        changes.Writer.TryWrite(0);
        var first = debouncer.NextAsync(changes.Reader, default);
        Assert.True(first.IsCompleted, "the first change waited");
        Assert.Equal(0, await first);
        return debouncer;
    }

    [Fact]
    public async Task NextAsync_AChangeAQuietPeriodAfterTheLastPush_GoesOutAtOnce()
    {
        var time = new FakeTimeProvider();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);

        await AdvanceAsync(time, Quiet);
        changes.Writer.TryWrite(1);
        changes.Writer.TryWrite(2);

        // Completed without the clock moving: no wait at all, and what came together goes together.
        var next = debouncer.NextAsync(changes.Reader, default);
        Assert.True(next.IsCompleted, "a change a quiet period after the last push waited");
        Assert.Equal(2, await next);
    }

    [Fact]
    public async Task NextAsync_ChangesSoonAfterAPush_GoOutTogetherAQuietPeriodAfterIt()
    {
        var time = new FakeTimeProvider();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);
        var pushed = time.GetUtcNow();
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(20));
        changes.Writer.TryWrite(1);
        var next = WaitingAsync(debouncer, changes);
        await ReadAsync(changes, next);
        Assert.False(next.IsCompleted, "a change 20 ms after a push went out at once");

        // Another change later in the period joins it, and does not push the end of the period back.
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(50));
        changes.Writer.TryWrite(2);
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(20));
        Assert.False(next.IsCompleted, "went out before 100 ms had passed since the last push");

        time.Advance(TimeSpan.FromMilliseconds(10));
        await CompletesAsync(next, time);
        Assert.Equal(2, await next);
        Assert.InRange(time.GetUtcNow() - pushed, Quiet, Quiet + TimeSpan.FromMilliseconds(30));
    }

    [Fact]
    public async Task NextAsync_ChangesThatNeverStop_GoOutOncePerQuietPeriod()
    {
        var time = new FakeTimeProvider();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);
        var lastPush = time.GetUtcNow();

        // A change every 10 ms for a second: no push comes sooner than a quiet period after the one before, and no
        // change waits much longer than that.
        var intervals = new List<TimeSpan>();
        var next = WaitingAsync(debouncer, changes);
        for (var sent = 1; sent <= 100; sent++)
        {
            changes.Writer.TryWrite(sent);
            time.Advance(TimeSpan.FromMilliseconds(10));
            if (time.GetUtcNow() - lastPush < Quiet)
            {
                await Task.Yield();
                Assert.False(next.IsCompleted, $"a push {time.GetUtcNow() - lastPush} after the last");
                continue;
            }

            await CompletesAsync(next, time);
            Assert.Equal(sent, await next);
            intervals.Add(time.GetUtcNow() - lastPush);
            lastPush = time.GetUtcNow();
            next = WaitingAsync(debouncer, changes);
        }

        Assert.True(intervals.Count is >= 9 and <= 10, string.Join(", ", intervals.Select(i => i.TotalMilliseconds)));
        Assert.All(intervals, interval => Assert.InRange(interval, Quiet, Quiet + TimeSpan.FromMilliseconds(20)));
    }
}
