using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LightMesh.Host.Hooks;

/// <summary>
/// The CI webhooks under <c>/api/v1/hooks</c>: <c>github</c>, <c>gitlab</c> and <c>generic</c>, thin adapters over
/// <see cref="HookReceiver"/>. 202 with the release id; 400, 401, 409 or 413 as problem details, having started nothing.
/// </summary>
public static class HookEndpoints
{
    public const string Root = "/api/v1/hooks";

    public static RouteGroupBuilder MapHookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Root);

        // No bearer token: CI systems prove a delivery with its signature (GitLab: its token), which HookReceiver checks.
        foreach (var source in HookSource.All)
        {
            group.MapPost($"/{source.Name}", (HttpRequest request, HookReceiver hooks, CancellationToken ct) => hooks.ReceiveAsync(source, request, ct)).AllowAnonymous();
        }
        return group;
    }
}
