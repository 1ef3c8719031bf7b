using System.Text.Json;
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
/// The controller's own endpoints: <c>/readyz</c> (etcd answers and a release-engine leader is known),
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

    private static async Task<IResult> ReadyAsync(EtcdConnection etcd, TimeProvider time, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            var leader = await new Etcd.Leadership.LeaderElection(etcd, ReleaseEngine.Election, time).LeaderAsync(timeout.Token);
            return leader is null
                ? Problems.Of(StatusCodes.Status503ServiceUnavailable, ["release engine: no controller leads yet"])
                : Results.Text($"ready; {leader} leads");
        }
        catch (Exception e) when (e is Core.LightMeshException or Grpc.Core.RpcException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, [$"etcd: not reachable within {ReadyTimeout.TotalSeconds}s ({e.Message})"]);
        }
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
