using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.Releases.Runs;

/// <summary>
/// The workflow's one step: advance the release as far as it goes, then wait for the wake-up event (the same
/// execution pointer runs again when it arrives), or end the workflow when the release has ended.
/// </summary>
public sealed class AdvanceRelease(ReleaseRunner runner) : StepBodyAsync
{
    public string ReleaseId { get; set; } = "";

    public override async Task<ExecutionResult> RunAsync(IStepExecutionContext context)
    {
        var outcome = await runner.AdvanceAsync(ReleaseId, context.CancellationToken);
        if (outcome.Finished)
        {
            return ExecutionResult.Next();
        }

        // The same pointer waits again. WorkflowCore delivers an event only to a pointer that has not had one yet, so
        // the last wake-up is forgotten here; one pointer per release keeps the stored instance small however long
        // the release runs (a While loop would add pointers at every wait).
        context.ExecutionPointer.EventPublished = false;
        context.ExecutionPointer.EventData = null;
        return ExecutionResult.WaitForEvent(DurableRun.WakeEvent, ReleaseId, outcome.AsOf);
    }
}
