using LightMesh.Core.Scheduling;

namespace LightMesh.Core.Validation;

// What Schedules and DeliveryWindows must satisfy against everything stored: a schedule's service and workflow exist, its
// arguments are ones the workflow's templates declare, and a window names services that exist (a pattern with '*' may
// match none yet).
public static partial class DocumentSetValidator
{
    private static void CheckSchedules(List<ValidationError> errors, World world)
    {
        foreach (var item in world.Documents)
        {
            switch (item.Document)
            {
                case Schedule schedule:
                    if (!world.Services.ContainsKey(schedule.Spec.Service))
                    {
                        Add(errors, item, "spec.service", $"no Service named \"{schedule.Spec.Service}\"");
                    }

                    if (!world.Workflows.TryGetValue(schedule.Spec.EffectiveWorkflow, out var workflow))
                    {
                        Add(errors, item, "spec.workflow", schedule.Spec.Workflow is null
                            ? $"no ReleaseWorkflow named \"{ScheduleSpec.DefaultWorkflow}\" (the default when workflow is not given)"
                            : $"no ReleaseWorkflow named \"{schedule.Spec.Workflow}\"");
                    }
                    else
                    {
                        CheckArguments(errors, world, item, workflow.Spec.TemplateNames(), schedule.Spec.Args, "spec.args", $"workflow {workflow.Name}");
                    }

                    break;
                case DeliveryWindow { Spec.Services: { } services }:
                    for (var i = 0; i < services.Count; i++)
                    {
                        if (!services[i].Contains('*', StringComparison.Ordinal) && !world.Services.ContainsKey(services[i]))
                        {
                            Add(errors, item, $"spec.services[{i}]", $"no Service named \"{services[i]}\"");
                        }
                    }

                    break;
            }
        }
    }
}
