using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.Releases.Runs;

/// <summary>
/// Names a release's workflow instance after the release (its reference), so starting it twice (after a crash, or by
/// two paths at once) cannot make a second instance: the etcd store refuses an id that exists.
/// </summary>
public sealed class ReleaseIdMiddleware : IWorkflowMiddleware
{
    public WorkflowMiddlewarePhase Phase => WorkflowMiddlewarePhase.PreWorkflow;

    public Task HandleAsync(WorkflowInstance workflow, WorkflowDelegate next)
    {
        if (workflow.WorkflowDefinitionId == DurableRun.Name && !string.IsNullOrEmpty(workflow.Reference))
        {
            workflow.Id = workflow.Reference;
        }

        return next();
    }
}
