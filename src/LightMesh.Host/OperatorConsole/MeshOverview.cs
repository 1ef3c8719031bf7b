using LightMesh.ControlPlane.Reports;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Host.Api;

namespace LightMesh.Host.OperatorConsole;

/// <summary>A service with its versions, the share of traffic each route gives each subset, and its running release.</summary>
public sealed record ServiceSummary(string Name, string Protocol, int Port, string? StableVersion, IReadOnlyList<VersionCount> Versions, IReadOnlyList<RouteSummary> Routes, string? Release);

/// <summary>A version of a service and its live instances.</summary>
public sealed record VersionCount(string Version, int Instances);

/// <summary>One http route of a service: its name, what it matches, and where its traffic goes.</summary>
public sealed record RouteSummary(string Name, string Match, IReadOnlyList<RouteShare> Shares);

/// <summary>A route's destination (a subset, or the whole service), the version its subset selects, and its percent.</summary>
public sealed record RouteShare(string Destination, string? Version, int Percent);

/// <summary>A node with the compose revision it runs and the instances registered on it (<see cref="Declared"/> false: only instances name it).</summary>
public sealed record NodeSummary(string Name, string? Address, bool Declared, string? Revision, DateTimeOffset? AppliedAt, IReadOnlyList<InstanceSummary> Instances);

/// <summary>A live instance: what it serves, where, and how long its lease has left.</summary>
public sealed record InstanceSummary(string Service, string Version, string Id, string Endpoint, TimeSpan TimeToLive);

/// <summary>A proxy with the revision it converged to against its controller's, and its last rejection.</summary>
public sealed record ProxySummary(string NodeId, string? Node, string Controller, long Converged, long ControllerRevision, string Services, string? LastNack, bool Unknown)
{
    /// <summary>Whether the proxy has everything its controller would send it now.</summary>
    public bool Current => !Unknown && Converged >= ControllerRevision;
}

/// <summary>
/// The mesh as the console's mesh page shows it, put together from what etcd and this controller know: services with
/// their versions and weights per route, live instances by node, every controller and proxy of the mesh, schedules and
/// delivery windows. No I/O: <see cref="ConsoleEndpoints"/> reads the parts.
/// </summary>
public sealed record MeshOverview(
    IReadOnlyList<ServiceSummary> Services,
    IReadOnlyList<NodeSummary> Nodes,
    IReadOnlyList<ControllerStatus> Controllers,
    IReadOnlyList<ProxySummary> Proxies,
    IReadOnlyList<string> Problems,
    IReadOnlyList<ScheduleView> Schedules,
    IReadOnlyList<WindowView> Windows)
{
    /// <summary>Where instances without a node are listed.</summary>
    public const string NoNode = "(no node)";

    public static MeshOverview Of(
        DocumentSnapshot documents,
        IReadOnlyList<LiveInstance> instances,
        IReadOnlyDictionary<string, Deployer.Revisions.NodeRevision> nodeRevisions,
        IReadOnlyList<ReleaseState> activeReleases,
        MeshStatus proxies,
        IReadOnlyList<ScheduleView> schedules,
        IReadOnlyList<WindowView> windows)
    {
        var services = documents.All<MeshService>()
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => ServiceOf(s, documents, instances, activeReleases))
            .ToList();

        var declared = documents.All<MeshNode>().ToDictionary(n => n.Name, StringComparer.Ordinal);
        var byNode = instances.GroupBy(i => i.Instance.Node ?? NoNode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var nodes = declared.Keys.Union(byNode.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                var node = declared.GetValueOrDefault(name);
                var applied = nodeRevisions.GetValueOrDefault(name);
                var live = byNode.GetValueOrDefault(name) ?? [];
                return new NodeSummary(
                    name, node?.Spec.Address, node is not null, applied?.Revision, applied?.AppliedAt,
                    [.. live.OrderBy(i => i.Instance.Service, StringComparer.Ordinal).ThenBy(i => i.Instance.Id, StringComparer.Ordinal)
                        .Select(i => new InstanceSummary(i.Instance.Service, i.Instance.Version, i.Instance.Id, $"{i.Instance.Address}:{i.Instance.Port}", i.TimeToLive))]);
            })
            .ToList();

        var controllerRevisions = proxies.Controllers.ToDictionary(c => c.Name, c => c.SnapshotRevision, StringComparer.Ordinal);
        var proxyRows = proxies.Proxies
            .OrderBy(p => p.Node ?? p.NodeId, StringComparer.Ordinal).ThenBy(p => p.NodeId, StringComparer.Ordinal)
            .Select(p => new ProxySummary(
                p.NodeId, p.Node, p.Controller, p.ConvergedRevision, controllerRevisions.GetValueOrDefault(p.Controller),
                p.AllServices ? "every service" : string.Join(", ", p.Services),
                p.Nacks.Count == 0 ? null : string.Join("; ", p.Nacks.Select(n => $"{n.Type} {n.Version}: {n.Error}")),
                p.Unknown))
            .ToList();
        return new MeshOverview(services, nodes, proxies.Controllers, proxyRows, proxies.Problems, schedules, windows);
    }

    private static ServiceSummary ServiceOf(MeshService service, DocumentSnapshot documents, IReadOnlyList<LiveInstance> instances, IReadOnlyList<ReleaseState> activeReleases)
    {
        var versions = instances.Where(i => i.Instance.Service == service.Name)
            .GroupBy(i => i.Instance.Version, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new VersionCount(g.Key, g.Count()))
            .ToList();
        var subsets = documents.RuleOf(service.Name)?.Spec.Subsets.ToDictionary(s => s.Name, s => s.Labels.GetValueOrDefault("version"), StringComparer.Ordinal)
            ?? new Dictionary<string, string?>(StringComparer.Ordinal);
        var routes = documents.RoutesOf(service.Name)?.Spec.Http.Select((route, i) => new RouteSummary(
                route.Name ?? $"route {i + 1}",
                MatchOf(route),
                [.. route.Route.Select(d => new RouteShare(
                    d.Destination.Subset ?? d.Destination.Host,
                    d.Destination.Subset is { } subset ? subsets.GetValueOrDefault(subset) : null,
                    d.Weight ?? (route.Route.Count == 1 ? 100 : 0)))]))
            .ToList() ?? [];
        var release = activeReleases.Where(r => r.Service == service.Name).OrderByDescending(r => r.StartedAt).FirstOrDefault();
        return new ServiceSummary(
            service.Name, service.Spec.Protocol.ToString().ToLowerInvariant(), service.Spec.Port, service.Spec.Deploy?.StableVersion, versions, routes, release?.Id);
    }

    /// <summary>A route's match in words: "every request", or each of its matches ("uri prefix /api, header x-canary") joined by "or".</summary>
    public static string MatchOf(HttpRoute route) => route.Match.Count == 0
        ? "every request"
        : string.Join(" or ", route.Match.Select(m => string.Join(", ", new[]
            {
                m.Uri is { } uri ? $"uri {uri.Kind.ToString().ToLowerInvariant()} {uri.Value}" : null,
            }
            .Concat(m.Headers.Select(h => $"header {h.Key} {h.Value.Kind.ToString().ToLowerInvariant()} {h.Value.Value}"))
            .OfType<string>()
            .DefaultIfEmpty("every request"))));
}
