using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Scheduling;

namespace LightMesh.Cli.Output;

/// <summary>The table columns of each kind, for <c>lightmesh get</c>.</summary>
public static class DocumentRows
{
    public static IReadOnlyList<string> Headers(DocumentKind kind) => kind switch
    {
        DocumentKind.Service => ["NAME", "PROTOCOL", "PORT", "OWNER"],
        DocumentKind.Node => ["NAME", "ADDRESS", "PROXY PORT", "DOCKER", "LABELS"],
        DocumentKind.VirtualService => ["NAME", "HOSTS", "ROUTES"],
        DocumentKind.AnalysisTemplate => ["NAME", "METRICS", "ARGS"],
        DocumentKind.ReleaseWorkflow => ["NAME", "STEPS"],
        DocumentKind.ReleaseTrigger => ["NAME", "SERVICE", "WORKFLOW", "REPOSITORY", "IMAGE"],
        DocumentKind.Schedule => ["NAME", "SERVICE", "WORKFLOW", "WHEN", "VERSION"],
        DocumentKind.DeliveryWindow => ["NAME", "TYPE", "SERVICES", "WHEN"],
        DocumentKind.ReleaseGroupWorkflow => ["NAME", "MEMBERS", "GATE", "ON MEMBER FAILURE"],
        _ => ["NAME", "HOST", "SUBSETS", "LOAD BALANCER"],
    };

    public static IReadOnlyList<string> Row(Document document) => document switch
    {
        MeshService s => [s.Name, s.Spec.Protocol.ToString().ToLowerInvariant(), s.Spec.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Spec.Owner ?? ""],
        MeshNode n => [n.Name, n.Spec.Address, n.Spec.EffectiveProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture), n.Spec.DockerEndpoint ?? "", Labels(n.Spec.Labels)],
        VirtualService vs => [vs.Name, string.Join(",", vs.Spec.Hosts), string.Join("; ", vs.Spec.Http.Select(Route))],
        DestinationRule dr => [dr.Name, dr.Spec.Host, string.Join(" ", dr.Spec.Subsets.Select(s => $"{s.Name}{{{Labels(s.Labels)}}}")), dr.Spec.TrafficPolicy?.LoadBalancer is { } lb ? LoadBalancerNames.Of(lb) : ""],
        AnalysisTemplate template => [template.Name, string.Join(",", template.Spec.Metrics.Select(m => m.Name)), string.Join(",", template.Spec.Args.Select(a => a.Name))],
        ReleaseTrigger trigger => [trigger.Name, trigger.Spec.Service, trigger.Spec.EffectiveWorkflow, trigger.Spec.Repository ?? "", trigger.Spec.Image ?? ""],
        Schedule { Spec.Group: { } group } schedule => [schedule.Name, $"group {group}", "-", ScheduleRows.When(schedule.Spec), schedule.Spec.Versions is { Count: > 0 } pinned ? string.Join(",", pinned.Select(p => $"{p.Key}={p.Value}")) : "newest announced"],
        Schedule schedule => [schedule.Name, schedule.Spec.Service!, schedule.Spec.EffectiveWorkflow, ScheduleRows.When(schedule.Spec), schedule.Spec.Version ?? "newest announced"],
        DeliveryWindow window => [window.Name, window.Spec.Type.ToString().ToLowerInvariant(), window.Spec.Services is { } services ? string.Join(",", services) : "*", ScheduleRows.When(window.Spec)],
        ReleaseGroupWorkflow group => [group.Name, string.Join(", ", group.Spec.Members.Select(m => m.After.Count == 0 ? m.Service : $"{m.Service} (after {string.Join(", ", m.After)})")),
            group.Spec.EffectiveGate.Text, group.Spec.EffectiveOnMemberFailure == MemberFailurePolicy.RollbackDependants ? "rollbackDependants" : "rollbackAll"],
        ReleaseWorkflow workflow => [workflow.Name, string.Join(" -> ", workflow.Spec.Steps.Select(s => s switch { SetWeightStep w => $"{w.Weight}%", ReleaseRouteStep { Removes: true } r => $"-{r.Name}", ReleaseRouteStep r => $"+{r.Name}", _ => s.Type }))],
        _ => [document.Name],
    };

    public static string Labels(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? "" : string.Join(",", labels.Select(kv => $"{kv.Key}={kv.Value}"));

    private static string Route(HttpRoute route, int index)
    {
        var name = route.Name ?? $"#{index}";
        var when = route.Match.Count > 0 ? " (match)" : "";
        var targets = route.Route.Select(d => $"{d.Destination.Subset ?? d.Destination.Host}={d.Weight ?? (route.Route.Count == 1 ? 100 : 0)}");
        return $"{name}{when}: {string.Join(" ", targets)}";
    }
}
