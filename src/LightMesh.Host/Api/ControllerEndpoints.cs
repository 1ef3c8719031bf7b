using System.Text.Json;
using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Reports;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Deployer.Revisions;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using LightMesh.Releases.Leadership;

namespace LightMesh.Host.Api;

/// <summary>A node with the compose revision it runs.</summary>
public sealed record NodeView(string Name, string Address, string? DockerEndpoint, string? Revision, DateTimeOffset? AppliedAt);

/// <summary>
/// The controller's own endpoints: <c>/readyz</c> (its control plane serves, etcd answers and a release-engine leader is known),
/// <c>/api/v1/controller</c>, <c>/api/v1/proxies</c> (every controller and every proxy of the mesh) and <c>/api/v1/nodes</c>.
/// </summary>
public static class ControllerEndpoints
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(2);

    public static RouteGroupBuilder MapControllerEndpoints(this IEndpointRouteBuilder endpoints, string candidate)
    {
        var app = endpoints.MapGroup(string.Empty);
        app.MapGet("/readyz", ReadyAsync);
        app.MapGet("/api/v1/controller", async (IServiceProvider services, CancellationToken ct) =>
        {
            var engine = services.GetService<ReleaseEngine>();
            return Results.Json(new ControllerView(candidate, engine?.IsLeader ?? false, engine is null ? null : await engine.LeaderAsync(ct)), JsonSerializerOptions.Web);
        }).RequireAuthorization(Roles.Viewer);
        app.MapGet("/api/v1/proxies", (MeshProxies mesh) => Results.Json(mesh.Status(), JsonSerializerOptions.Web)).RequireAuthorization(Roles.Viewer);
        app.MapGet("/api/v1/nodes", NodesAsync).RequireAuthorization(Roles.Viewer);
        return app;
    }

    /// <summary>
    /// 200 when this controller serves proxies (its first snapshot is published), etcd answers and a release engine
    /// leads; else 503 naming each of the three that does not hold.
    /// </summary>
    private static async Task<IResult> ReadyAsync(EtcdConnection etcd, ProxyRegistry registry, TimeProvider time, CancellationToken ct)
    {
        var problems = new List<string>();
        if (registry.NotServing() is { } notServing)
        {
            problems.Add(notServing);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadyTimeout);
        string? leader = null;
        try
        {
            leader = await new Etcd.Leadership.LeaderElection(etcd, ReleaseEngine.Election, time).LeaderAsync(timeout.Token);
            if (leader is null)
            {
                problems.Add("release engine: no controller leads yet");
            }
        }
        catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            problems.Add($"etcd: not reachable within {ReadyTimeout.TotalSeconds}s ({e.Message})");
        }

        return problems.Count > 0
            ? Problems.Of(StatusCodes.Status503ServiceUnavailable, problems)
            : Results.Text($"ready; {leader} leads; serving snapshot revision {registry.Current.Revision}");
    }

    private static async Task<IResult> NodesAsync(DocumentStore documents, EtcdConnection etcd, TimeProvider time, CancellationToken ct)
    {
        var nodes = (await documents.ListAsync(DocumentKind.Node, ct)).OfType<MeshNode>().ToList();
        var current = await new NodeRevisionStore(etcd, time).CurrentOfAsync(nodes.Select(n => n.Name), ct);
        return Results.Json(
            nodes.Select(n => new NodeView(n.Name, n.Spec.Address, n.Spec.DockerEndpoint, current.GetValueOrDefault(n.Name)?.Revision, current.GetValueOrDefault(n.Name)?.AppliedAt)),
            JsonSerializerOptions.Web);
    }
}
