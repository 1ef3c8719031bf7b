using System.Threading.Channels;
using LightMesh.ControlPlane.Hosting;
using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// The control plane's four loops (the etcd source, the publisher, the report, the mesh view) are each started again
/// after anything ends them while the controller runs: otherwise a controller would look healthy and no longer push,
/// report or watch.
/// </summary>
public sealed class KeepRunningTests
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>How each run of the loop ends, in turn; the last one waits for the controller to stop.</summary>
    public enum Ending
    {
        Throws,
        TimesOut,
        Returns,
    }

    [Theory]
    [InlineData(Ending.Throws, "stopped; retrying")]
    [InlineData(Ending.TimesOut, "stopped; retrying")]
    [InlineData(Ending.Returns, "returned while the controller runs; starting it again")]
    public async Task ALoopThatEnds_IsStartedAgain_AndTheRestartIsLogged(Ending ending, string logged)
    {
        var logs = new LogLines();
        var runs = Channel.CreateUnbounded<int>();
        var count = 0;
        using var stopping = new CancellationTokenSource();

        async Task RunAsync(CancellationToken token)
        {
            var run = Interlocked.Increment(ref count);
            runs.Writer.TryWrite(run);
            if (run < 3)
            {
                await Task.Yield();
                switch (ending)
                {
                    case Ending.Throws:
                        throw new InvalidOperationException($"run {run} failed");
                    case Ending.TimesOut:
                        // A call's own timeout, not the controller stopping.
                        using (var timeout = new CancellationTokenSource())
                        {
                            await timeout.CancelAsync();
                            timeout.Token.ThrowIfCancellationRequested();
                        }

                        break;
                    default:
                        return;
                }
            }

            await Task.Delay(Timeout.Infinite, token);
        }

        var loop = ControlPlaneService.KeepRunningAsync(RunAsync, "The test loop", RetryDelay, TimeProvider.System, logs.CreateLogger("LightMesh.Test"), stopping.Token);
        for (var expected = 1; expected <= 3; expected++)
        {
            Assert.Equal(expected, await runs.Reader.ReadAsync().AsTask().WaitAsync(Patience));
        }

        Assert.False(loop.IsCompleted, logs.ToString());
        Assert.Equal(2, logs.Lines.Count(l => l.Contains($"Error LightMesh.Test: The test loop {logged}", StringComparison.Ordinal)));

        await stopping.CancelAsync();
        await loop.WaitAsync(Patience);
        Assert.Equal(3, Volatile.Read(ref count));
        Assert.Equal(2, logs.Lines.Count);
    }

    [Fact]
    public async Task StoppingTheController_WhileALoopWaitsToStartAgain_EndsTheLoop_WithoutAnotherRun()
    {
        var logs = new LogLines();
        var count = 0;
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopping = new CancellationTokenSource();

        Task RunAsync(CancellationToken token)
        {
            Interlocked.Increment(ref count);
            failed.TrySetResult();
            return Task.FromException(new InvalidOperationException("failed"));
        }

        // A retry delay no test waits out: the controller stops during it.
        var loop = ControlPlaneService.KeepRunningAsync(RunAsync, "The test loop", TimeSpan.FromHours(1), TimeProvider.System, logs.CreateLogger("LightMesh.Test"), stopping.Token);
        await failed.Task.WaitAsync(Patience);
        await stopping.CancelAsync();
        await loop.WaitAsync(Patience);

        Assert.True(loop.IsCompletedSuccessfully, logs.ToString());
        Assert.Equal(1, Volatile.Read(ref count));
    }
}
