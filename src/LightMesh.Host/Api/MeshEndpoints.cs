using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Core.Routing;
using LightMesh.Etcd.Registry;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using LightMesh.Releases.Requests;

namespace LightMesh.Host.Api;

/// <summary>The body of a weight change: the http route (default: the last without a match) and each subset's percent.</summary>
public sealed record WeightsBody(string? Route, IReadOnlyDictionary<string, int>? Weights);

/// <summary>
/// The HTTP face of <c>lightmesh instances</c> and <c>lightmesh weights</c>: <c>GET /api/v1/instances/{service}</c>
/// (viewer) and <c>POST /api/v1/documents/virtualservices/{name}/weights[?force=true]</c> (admin), the same guarded
/// weight change a release step makes; the route a running release moves is its own (409) unless forced.
/// </summary>
public static class MeshEndpoints
{
    public const string Instances = "/api/v1/instances";

    public static RouteGroupBuilder MapMeshEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var app = endpoints.MapGroup(string.Empty);
        app.MapGet(Instances + "/{service}", InstancesAsync).RequireAuthorization(Roles.Viewer);
        app.MapPost(DocumentEndpoints.Root + "/virtualservices/{name}/weights", WeightsAsync).RequireAuthorization(Roles.Admin);
        return app;
    }

    /// <summary>An instance as <c>instances -o json</c> prints it: its fields, its lease and the seconds the lease has left.</summary>
    public static JsonObject ToNode(LiveInstance live)
    {
        var node = JsonSerializer.SerializeToNode(live.Instance, JsonSerializerOptions.Web)!.AsObject();
        node["lease"] = live.Lease;
        node["ttlSeconds"] = live.TimeToLive.TotalSeconds;
        return node;
    }

    private static async Task<IResult> InstancesAsync(string service, InstanceRegistry registry, CancellationToken ct) =>
        Results.Json((await registry.ListAsync(service, ct)).OrderBy(i => i.Instance.Id, StringComparer.Ordinal).Select(ToNode).ToList());

    private static async Task<IResult> WeightsAsync(string name, WeightsBody? body, DocumentWrites writes, ClaimsPrincipal user, bool? force, CancellationToken ct)
    {
        if (body?.Weights is not { Count: > 0 } weights)
        {
            return Problems.BadRequest("weights: give each subset's percent, e.g. {\"weights\": {\"v1\": 90, \"v2\": 10}}");
        }

        var result = await writes.SetWeightsAsync(name, body.Route, [.. weights.Select(w => new SubsetWeight(w.Key, w.Value))], DocumentEndpoints.Writer(user, force), ct);
        return DocumentEndpoints.Answer(result);
    }
}
