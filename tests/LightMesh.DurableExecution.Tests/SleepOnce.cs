using WorkflowCore.Interface;
using WorkflowCore.Models;

namespace LightMesh.DurableExecution.Tests;

/// <summary>Sleeps once, remembering that it did in its persistence data, then goes on.</summary>
public sealed class SleepOnce : StepBody
{
    public static readonly TimeSpan Nap = TimeSpan.FromMilliseconds(300);

    public override ExecutionResult Run(IStepExecutionContext context) =>
        context.PersistenceData is true ? ExecutionResult.Next() : ExecutionResult.Sleep(Nap, true);
}
