using LightMesh.Etcd.Registry;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LightMesh.Host.Api;

/// <summary>One group of targets in Prometheus's HTTP service-discovery format.</summary>
public sealed record TargetGroup(IReadOnlyList<string> Targets, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// <c>GET /api/v1/sd/prometheus</c>: every live instance as a Prometheus <c>http_sd_configs</c> target with its
/// <c>service</c>, <c>version</c> and <c>node</c>, so Prometheus scrapes a canary the moment it registers.
/// </summary>
public static class DiscoveryEndpoints
{
    public const string Path = "/api/v1/sd/prometheus";

    public static RouteHandlerBuilder MapDiscoveryEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, async (InstanceRegistry registry, CancellationToken ct) =>
            Results.Json((await registry.ListAllAsync(ct)).Select(live => Group(live.Instance)).ToList()))
        .RequireAuthorization(Roles.Viewer);

    private static TargetGroup Group(Core.Mesh.Instance instance) => new(
        [$"{(instance.Address.Contains(':', StringComparison.Ordinal) ? $"[{instance.Address}]" : instance.Address)}:{instance.Port}"],
        new Dictionary<string, string>
        {
            ["service"] = instance.Service,
            ["version"] = instance.Version,
            ["node"] = instance.Node ?? "",
            ["lightmesh_instance"] = instance.Id,
        });
}
