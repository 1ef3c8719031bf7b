using LightMesh.Core.Analysis;
using LightMesh.Core.Mesh;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Releases;

/// <summary>What a start request must satisfy, every problem reported at once.</summary>
public sealed partial class ReleaseService
{
    private static List<string> Check(StartRequest request, MeshService service, string? stable, ReleaseWorkflow workflow, IReadOnlyList<AnalysisTemplate> templates)
    {
        var errors = new List<string>();
        if (request.Version.Length == 0 || Names.CheckLabelValue(request.Version) is not null)
        {
            errors.Add($"version: \"{request.Version}\" is not a valid version label: {Names.CheckLabelValue(request.Version) ?? "it is empty"}");
        }

        if (stable is null)
        {
            errors.Add($"service: cannot tell the stable version of {service.Name}: give it deploy.stableVersion, a DestinationRule subset \"stable\", or running instances of one version");
        }
        else if (stable == request.Version)
        {
            errors.Add($"version: {request.Version} is already the stable version of {service.Name}");
        }

        if (request.Image is { } image)
        {
            var colon = image.LastIndexOf(':');
            var (repository, tag) = colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, request.Version);
            if (service.Spec.Deploy is not { } deploy)
            {
                errors.Add($"image: {service.Name} is not deployed by LightMesh (no deploy section), so no image can be given");
            }
            else if (repository != deploy.Image || tag != request.Version)
            {
                errors.Add($"image: \"{image}\" must be {deploy.Image}:{request.Version} (the service's repository, tagged with the version)");
            }
        }

        foreach (var (key, _) in request.Args.Where(a => string.IsNullOrWhiteSpace(a.Key)))
        {
            errors.Add($"args: an argument has an empty name (\"{key}\")");
        }

        // An argument is a value for a template the workflow runs: only declared names, each a value its uses take.
        var named = request.Args.Where(a => !string.IsNullOrWhiteSpace(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        errors.AddRange(TemplateArguments.Check(templates, named, builtInGiven: false, $"workflow {workflow.Name}").Select(p => $"args.{p.Name}: {p.Message}"));

        return errors;
    }
}
