using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;

namespace LightMesh.Core.Releases;

/// <summary>
/// What a release of a workflow carries out, as a pure function of the workflow and the service: a canary workflow's
/// steps as written; a blue-green workflow's with what the strategy adds (<see cref="Steps"/>). A release keeps the
/// result in its state, so every controller, and the timeline, see the same steps.
/// </summary>
public static class ReleaseStrategies
{
    /// <summary>The release route through which a blue-green preview is reached before the switch.</summary>
    public const string PreviewRoute = "preview";

    /// <summary>The header that reaches a blue-green preview (any value it is given: <c>true</c> by convention).</summary>
    public const string PreviewHeader = "x-lightmesh-preview";

    /// <summary>
    /// The name a preview is also reached by while its route is there: <c>SERVICE-preview</c> (<c>xds:///checkout-preview:8080</c>
    /// for a proxyless client, host <c>checkout-preview</c> through a sidecar). Every request to it takes the preview
    /// route's destination, header or not. A Service of that name keeps the name: the preview is then reached by its
    /// header only.
    /// </summary>
    public static string PreviewHost(string service) => $"{service}-preview";

    /// <summary>The route of <paramref name="routes"/> a preview is reached through (<see cref="PreviewRoute"/>), while a release has one.</summary>
    public static HttpRoute? PreviewRouteOf(VirtualService? routes) =>
        routes?.Spec.Http.FirstOrDefault(r => r.Name == ReleaseTraffic.RouteName(PreviewRoute));

    /// <summary>
    /// The steps a release of <paramref name="spec"/> for <paramref name="service"/> carries out. For blue-green: each
    /// deploy without a replica count runs the new version at the stable version's size; after the first deploy, a
    /// header route (<see cref="PreviewHeader"/>: <c>true</c>) reaches the preview; the pre-promotion analysis runs
    /// just before <c>promote</c> (added last when there is none). Canary workflows are returned as they are.
    /// </summary>
    public static ReleaseWorkflowSpec Steps(ReleaseWorkflowSpec spec, MeshService service)
    {
        if (spec.Strategy != ReleaseStrategy.BlueGreen)
        {
            return spec;
        }

        var fullSize = service.Spec.Deploy?.EffectiveReplicas ?? 1;
        var steps = new List<ReleaseStep>();
        var previewed = false;
        foreach (var step in spec.Steps)
        {
            if (step is PromoteStep && spec.PrePromotionAnalysis is { } pre)
            {
                steps.Add(pre);
            }

            steps.Add(step is DeployStep { Replicas: null } ? new DeployStep(fullSize) : step);
            if (step is DeployStep && !previewed)
            {
                steps.Add(new SetHeaderRouteStep(PreviewRoute, [new HeaderRouteMatch(PreviewHeader, new StringMatch(StringMatchKind.Exact, "true"))]));
                previewed = true;
            }
        }

        if (spec.PrePromotionAnalysis is { } last && !spec.Steps.Any(s => s is PromoteStep))
        {
            steps.Add(last);
        }

        return spec with { Steps = steps };
    }
}
