using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of a ReleaseTrigger.</summary>
internal static partial class ReleaseTriggerCodec
{
    // GitHub's owner/name, or GitLab's group/subgroup/.../project: two or more path segments.
    [GeneratedRegex(@"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();

    public static ReleaseTriggerSpec? ReadSpec(ReadContext context, JsonObject spec)
    {
        var service = context.String(spec, "spec", "service", required: true);
        if (service is not null && Names.CheckDns1123Label(service) is { } serviceProblem)
        {
            context.Error("spec.service", serviceProblem);
        }

        var workflow = context.String(spec, "spec", "workflow");
        if (workflow is not null && Names.CheckDns1123Subdomain(workflow) is { } workflowProblem)
        {
            context.Error("spec.workflow", workflowProblem);
        }

        var repository = context.String(spec, "spec", "repository");
        if (repository is not null && (!RepositoryPattern().IsMatch(repository) || repository.Split('/').Any(s => s is "." or "..")))
        {
            context.Error("spec.repository", $"\"{repository}\" must be a repository's full name: owner/name (GitHub) or group/subgroup/project (GitLab)");
        }

        var image = context.String(spec, "spec", "image");
        if (image is not null && !DeploymentCodec.IsImageRepository(image))
        {
            context.Error("spec.image", $"\"{image}\" must be an image repository without a tag or digest, like ghcr.io/acme/checkout");
        }

        if (!ReadContext.Present(spec, "repository") && !ReadContext.Present(spec, "image"))
        {
            context.Error("spec", "needs repository or image (or both): which CI events start a release of the service");
        }

        var args = context.StringMap(spec, "spec", "args", k => k.Length > 0 ? null : "must not be empty", _ => null);
        var modeText = context.String(spec, "spec", "mode");
        TriggerMode? mode = modeText switch { null or "release" => TriggerMode.Release, "announce" => TriggerMode.Announce, _ => null };
        if (mode is null)
        {
            context.Error("spec.mode", $"\"{modeText}\" must be release (start a release at once) or announce (record the version for a Schedule)");
        }

        return service is null ? null : new ReleaseTriggerSpec { Service = service, Workflow = workflow, Repository = repository, Image = image, Args = args, Mode = mode ?? TriggerMode.Release };
    }

    public static JsonObject WriteSpec(ReleaseTriggerSpec spec) => new JsonObject()
        .Set("service", spec.Service)
        .Set("workflow", spec.Workflow)
        .Set("repository", spec.Repository)
        .Set("image", spec.Image)
        .Set("args", spec.Args)
        .Set("mode", spec.Mode == TriggerMode.Release ? null : "announce");
}
