using System.Collections.Concurrent;
using LightMesh.Core;
using LightMesh.Releases.Leadership;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.Releases.Tests;

/// <summary>
/// How the leading controller starts the workflows of releases as they start (<see cref="ReleaseReconciler.StartAllAsync"/>):
/// several at a time, so a start that waits on etcd holds up no other, and with the failures it always had.
/// </summary>
public sealed class ReleaseReconcilerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartAllAsync_AStartThatWaits_DoesNotHoldUpTheReleasesStartedAfterIt()
    {
        var ids = Ids(ReleaseReconciler.StartingAtOnce * 3);
        var started = new ConcurrentBag<string>();
        var othersStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first start finishes only once every later release has been started: one at a time, it never would.
        await ReleaseReconciler.StartAllAsync(FeedAsync(ids), async (id, token) =>
        {
            if (id == ids[0])
            {
                await othersStarted.Task.WaitAsync(token);
            }

            started.Add(id);
            if (started.Count == ids.Count - 1)
            {
                othersStarted.TrySetResult();
            }
        }, NullLogger.Instance, default).WaitAsync(Guard);

        Assert.Equal(ids.Order(), started.Order());
    }

    [Fact]
    public async Task StartAllAsync_EtcdAwayForOneStart_LeavesItToTheSweepAndStartsTheRest()
    {
        var ids = Ids(10);
        var started = new ConcurrentBag<string>();

        await ReleaseReconciler.StartAllAsync(FeedAsync(ids), (id, _) =>
        {
            if (id == ids[3])
            {
                throw new ServerUnreachableException("etcd is away");
            }

            started.Add(id);
            return Task.CompletedTask;
        }, NullLogger.Instance, default).WaitAsync(Guard);

        Assert.Equal(ids.Where(id => id != ids[3]).Order(), started.Order());
    }

    [Fact]
    public async Task StartAllAsync_AnyOtherFailure_EndsTheFollowingWithIt()
    {
        var ids = Ids(10);

        var failure = await Assert.ThrowsAsync<LightMeshException>(() => ReleaseReconciler.StartAllAsync(FeedAsync(ids, forever: true), (id, _) =>
            id == ids[5] ? throw new LightMeshException($"release {id}: not a release") : Task.CompletedTask, NullLogger.Instance, default).WaitAsync(Guard));

        Assert.Equal($"release {ids[5]}: not a release", failure.Message);
    }

    private static List<string> Ids(int count) => [.. Enumerable.Range(0, count).Select(i => $"release-{i:D3}")];

    /// <summary>The ids as a watch would hand them, one by one; <paramref name="forever"/>: then waits, as a watch does, until cancelled.</summary>
    private static async IAsyncEnumerable<string> FeedAsync(List<string> ids, bool forever = false, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var id in ids)
        {
            await Task.Yield();
            yield return id;
        }

        if (forever)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
