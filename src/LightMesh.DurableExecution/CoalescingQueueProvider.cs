using System.Threading.Channels;
using WorkflowCore.Interface;

namespace LightMesh.DurableExecution;

/// <summary>
/// WorkflowCore's in-memory work queue, with two changes. An id already waiting in a queue is not added again: the one
/// entry is taken once and the work it stands for reads the current state, so nothing is lost. And an id queued again
/// within <paramref name="pause"/> of being taken waits out the rest of the pause before it can be taken again.
/// </summary>
/// <remarks>
/// WorkflowCore's consumers put an id they take back at once when its work is still running (a workflow still
/// executing, an event still being delivered). The poller and the wake-up feed queue the same ids again and again while
/// releases run. With WorkflowCore's own queue, the copies piled up, and a consumer whose queue held only ids still
/// running took each and put it back in a loop: with 500 releases that loop used a fifth of the controller's CPU. Here
/// each running id costs at most one take per pause.
/// </remarks>
public sealed class CoalescingQueueProvider(TimeProvider time, TimeSpan pause) : IQueueProvider
{
    /// <summary>The pause a controller's host uses: a running id is looked at again at most 50 times a second.</summary>
    public static readonly TimeSpan DefaultPause = TimeSpan.FromMilliseconds(20);

    // How long DequeueWork waits for an id before it answers null, as WorkflowCore's own queue does.
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<QueueType, Queue> _queues = Enum.GetValues<QueueType>().ToDictionary(q => q, _ => new Queue());
    private readonly CancellationTokenSource _stopping = new();

    public bool IsDequeueBlocking => true;

    public Task QueueWork(string id, QueueType queue)
    {
        var q = _queues[queue];
        TimeSpan holdFor;
        lock (q)
        {
            if (!q.Waiting.Add(id))
            {
                return Task.CompletedTask;
            }

            holdFor = q.TakenAt.TryGetValue(id, out var taken) ? pause - time.GetElapsedTime(taken) : TimeSpan.Zero;
        }

        if (holdFor <= TimeSpan.Zero)
        {
            q.Ids.Writer.TryWrite(id);
        }
        else
        {
            _ = AddLaterAsync(q, id, holdFor);
        }

        return Task.CompletedTask;
    }

    public async Task<string?> DequeueWork(QueueType queue, CancellationToken cancellationToken)
    {
        var q = _queues[queue];
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(Wait);
        try
        {
            var id = await q.Ids.Reader.ReadAsync(wait.Token);
            lock (q)
            {
                q.Waiting.Remove(id);
                q.TakenAt[id] = time.GetTimestamp();
                if (q.TakenAt.Count > 4096)
                {
                    foreach (var old in q.TakenAt.Where(t => time.GetElapsedTime(t.Value) >= pause).Select(t => t.Key).ToList())
                    {
                        q.TakenAt.Remove(old);
                    }
                }
            }

            return id;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public Task Start() => Task.CompletedTask;

    public Task Stop()
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task AddLaterAsync(Queue q, string id, TimeSpan after)
    {
        try
        {
            await Task.Delay(after, time, _stopping.Token);
            q.Ids.Writer.TryWrite(id);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The host stopped; its queue goes with it.
        }
    }

    private sealed class Queue
    {
        public Channel<string> Ids { get; } = Channel.CreateUnbounded<string>();

        // Ids in Ids, or on their way there after a pause.
        public HashSet<string> Waiting { get; } = new(StringComparer.Ordinal);

        // When each id was last taken.
        public Dictionary<string, long> TakenAt { get; } = new(StringComparer.Ordinal);
    }
}
