using System.Threading.Channels;
using LightMesh.ControlPlane.Publishing;
using LightMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LightMesh.ControlPlane.Tests;

public sealed class DebouncerTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The fake clock, counting the timers set on it. The debouncer reads how long to wait and then sets its timer; a
    /// test that moved the clock between the two would get a timer due later than the debouncer meant (this once failed
    /// CI). So the tests wait until the timer is set before moving the clock, and every push then comes at an exact time.
    /// </summary>
    private sealed class Clock : TimeProvider
    {
        private int _timers;

        public FakeTimeProvider Fake { get; } = new();

        public int TimersSet => Volatile.Read(ref _timers);

        public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

        public override long GetTimestamp() => Fake.GetTimestamp();

        public override long TimestampFrequency => Fake.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = Fake.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }

        public void Advance(TimeSpan by) => Fake.Advance(by);
    }

    /// <summary>
    /// The next push, awaited on the thread pool: the debouncer's continuations then do not queue behind other tests' on
    /// the test framework's two threads.
    /// </summary>
    private static Task<long> WaitingAsync(Debouncer debouncer, Channel<long> changes) =>
        Task.Run(() => debouncer.NextAsync(changes.Reader, default));

    /// <summary>Waits until the debouncer has set a timer beyond the <paramref name="before"/> it had, to wait out the quiet period.</summary>
    private static Task<bool> TimerSetAsync(Clock time, int before, Task next) =>
        Poll.UntilAsync(() => Task.FromResult(time.TimersSet > before || next.IsCompleted), set => set, TimeSpan.FromSeconds(30), "the debouncer's timer");

    /// <summary>The push, once its timer is due: the clock does not move while it is awaited.</summary>
    private static async Task CompletesAsync(Task task)
    {
        await task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(task.IsCompleted, "the push did not come");
    }

    /// <summary>Advances the fake clock in small steps, letting the debouncer's continuations run between them.</summary>
    private static async Task AdvanceAsync(Clock time, TimeSpan by)
    {
        for (var step = TimeSpan.Zero; step < by; step += TimeSpan.FromMilliseconds(10))
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Yield();
        }
    }

    /// <summary>A debouncer that has just let change 0 out at once, so what follows within <see cref="Quiet"/> waits.</summary>
    private static async Task<Debouncer> JustPushedAsync(Clock time, Channel<long> changes)
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
        var time = new Clock();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);

        await AdvanceAsync(time, Quiet);
        changes.Writer.TryWrite(1);
        changes.Writer.TryWrite(2);

        // Completed without the clock moving: no wait at all, and what came together goes together.
        var next = debouncer.NextAsync(changes.Reader, default);
        Assert.True(next.IsCompleted, "a change a quiet period after the last push waited");
        Assert.Equal(2, await next);
        Assert.Equal(0, time.TimersSet);
    }

    [Fact]
    public async Task NextAsync_ChangesSoonAfterAPush_GoOutTogetherAQuietPeriodAfterIt()
    {
        var time = new Clock();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);
        var pushed = time.GetUtcNow();
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(20));
        changes.Writer.TryWrite(1);
        var next = WaitingAsync(debouncer, changes);
        await TimerSetAsync(time, 0, next);
        Assert.False(next.IsCompleted, "a change 20 ms after a push went out at once");

        // Another change later in the period joins it, and does not push the end of the period back.
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(50));
        changes.Writer.TryWrite(2);
        await AdvanceAsync(time, TimeSpan.FromMilliseconds(20));
        Assert.False(next.IsCompleted, "went out before 100 ms had passed since the last push");

        time.Advance(TimeSpan.FromMilliseconds(10));
        await CompletesAsync(next);
        Assert.Equal(2, await next);
        Assert.Equal(Quiet, time.GetUtcNow() - pushed);
    }

    [Fact]
    public async Task NextAsync_ChangesThatNeverStop_GoOutOncePerQuietPeriod()
    {
        var time = new Clock();
        var changes = Channel.CreateUnbounded<long>();
        var debouncer = await JustPushedAsync(time, changes);
        var lastPush = time.GetUtcNow();

        // A change every 10 ms for a second: no push comes sooner than a quiet period after the one before, and none
        // later than that.
        var intervals = new List<TimeSpan>();
        var next = WaitingAsync(debouncer, changes);
        var timers = time.TimersSet;
        for (var sent = 1; sent <= 100; sent++)
        {
            changes.Writer.TryWrite(sent);
            if (time.GetUtcNow() == lastPush)
            {
                // The first change since the push: the debouncer reads it and sets its timer before the clock moves.
                await TimerSetAsync(time, timers, next);
            }

            time.Advance(TimeSpan.FromMilliseconds(10));
            if (time.GetUtcNow() - lastPush < Quiet)
            {
                await Task.Yield();
                Assert.False(next.IsCompleted, $"a push {time.GetUtcNow() - lastPush} after the last");
                continue;
            }

            await CompletesAsync(next);
            Assert.Equal(sent, await next);
            intervals.Add(time.GetUtcNow() - lastPush);
            lastPush = time.GetUtcNow();
            next = WaitingAsync(debouncer, changes);
            timers = time.TimersSet;
        }

        Assert.Equal(10, intervals.Count);
        Assert.All(intervals, interval => Assert.Equal(Quiet, interval));
    }
}
