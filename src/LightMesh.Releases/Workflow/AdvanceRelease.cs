using LightMesh.Releases.Engine;
using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.Releases.Workflow;

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
        return outcome.Finished ? ExecutionResult.Next() : ExecutionResult.WaitForEvent(ReleaseRunWorkflow.WakeEvent, ReleaseId, outcome.AsOf);
    }
}
