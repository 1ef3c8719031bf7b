using LightMesh.DurableExecution;
using WorkflowCore.Models;

namespace LightMesh.Releases.Runs;

/// <summary>
/// Wakes a release by recording a WorkflowCore event in etcd: the leading controller's host finds it at its next poll
/// and resumes the release's waiting step. A release has one wake-up event, published again at each wake-up (unprocessed
/// once more, with the new time): wake-ups never pile up behind each other, however many come while nobody processes them.
/// </summary>
public sealed class WorkflowEventWaker(EtcdPersistenceProvider store, TimeProvider time) : IReleaseWaker
{
    /// <summary>The id of <paramref name="releaseId"/>'s wake-up event.</summary>
    public static string EventId(string releaseId) => $"wake-{releaseId}";

    public Task WakeAsync(string releaseId, CancellationToken cancellationToken) =>
        store.PublishEvent(new Event
        {
            Id = EventId(releaseId),
            EventName = DurableRun.WakeEvent,
            EventKey = releaseId,
            EventData = "wake",
            EventTime = time.GetUtcNow().UtcDateTime,
            IsProcessed = false,
        }, cancellationToken);
}
