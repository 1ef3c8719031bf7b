using LightMesh.Releases.Engine;
using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.Releases.Workflow;

/// <summary>
/// Wakes a release by recording a WorkflowCore event in etcd: the leading controller's host finds it at its next poll
/// and resumes the release's waiting step. Any controller can wake a release, leader or not.
/// </summary>
public sealed class WorkflowEventWaker(IPersistenceProvider store, TimeProvider time) : IReleaseWaker
{
    public Task WakeAsync(string releaseId, CancellationToken cancellationToken) =>
        store.CreateEvent(new Event
        {
            EventName = ReleaseRunWorkflow.WakeEvent,
            EventKey = releaseId,
            EventData = "wake",
            EventTime = time.GetUtcNow().UtcDateTime,
            IsProcessed = false,
        }, cancellationToken);
}
