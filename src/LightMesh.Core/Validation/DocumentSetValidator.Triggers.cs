using LightMesh.Core.Releases;

namespace LightMesh.Core.Validation;

// What ReleaseTriggers must satisfy together: each repository and each image starts releases of one service only (a CI
// event must never have to choose), and, against everything stored, the service and workflow exist, an image is the
// one the service deploys, and the arguments are ones the workflow's templates declare.
public static partial class DocumentSetValidator
{
    private static void CheckTriggers(List<ValidationError> errors, World world, bool complete)
    {
        var triggers = world.Documents.Where(d => d.Document is ReleaseTrigger).ToList();
        if (triggers.Count == 0)
        {
            return;
        }

        var repositories = new Dictionary<string, ReleaseTrigger>(StringComparer.OrdinalIgnoreCase);
        var images = new Dictionary<string, ReleaseTrigger>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in triggers)
        {
            var trigger = (ReleaseTrigger)item.Document;
            var spec = trigger.Spec;
            if (spec.Repository is { } repository && !repositories.TryAdd(repository, trigger))
            {
                Add(errors, item, "spec.repository", $"\"{repository}\" already starts releases through {repositories[repository].Reference}");
            }

            if (spec.Image is { } image && !images.TryAdd(image, trigger))
            {
                Add(errors, item, "spec.image", $"\"{image}\" already starts releases through {images[image].Reference}");
            }

            if (!complete)
            {
                continue;
            }

            if (!world.Services.TryGetValue(spec.Service, out var service))
            {
                Add(errors, item, "spec.service", $"no Service named \"{spec.Service}\"");
            }
            else if (spec.Image is { } pushed && service.Spec.Deploy is { } deploy && !string.Equals(deploy.Image, pushed, StringComparison.OrdinalIgnoreCase))
            {
                Add(errors, item, "spec.image", $"\"{pushed}\" is not the image Service \"{service.Name}\" deploys ({deploy.Image}); a release would run {deploy.Image}:VERSION");
            }

            if (!world.Workflows.TryGetValue(spec.EffectiveWorkflow, out var workflow))
            {
                Add(errors, item, "spec.workflow", spec.Workflow is null
                    ? $"no ReleaseWorkflow named \"{ReleaseTriggerSpec.DefaultWorkflow}\" (the default when workflow is not given)"
                    : $"no ReleaseWorkflow named \"{spec.Workflow}\"");
            }
            else
            {
                CheckArguments(errors, world, item, workflow.Spec.TemplateNames(), spec.Args, "spec.args", $"workflow {workflow.Name}");
            }
        }
    }
}
