using WorkflowCore.Interface;

namespace LightMesh.DurableExecution.Tests;

/// <summary>A sleep, then a wait for the "go" event of the workflow's key: the two ways a workflow outlives its host.</summary>
public sealed class GateWorkflow : IWorkflow<GateData>
{
    public string Id => "gate";

    public int Version => 1;

    public void Build(IWorkflowBuilder<GateData> builder) =>
        builder
            .StartWith<SleepOnce>()
            .WaitFor("go", data => data.Key)
                .Output(data => data.Received, step => step.EventData);
}
