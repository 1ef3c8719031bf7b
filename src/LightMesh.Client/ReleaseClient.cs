using System.Globalization;
using System.Net;
using LightMesh.ControlPlane.Reports;
using LightMesh.Host.Api;

namespace LightMesh.Client;

/// <summary>What a page of <c>GET /api/v1/releases</c> asks for; null leaves a parameter to the controller's default.</summary>
public sealed record ReleaseListRequest(int? Limit = null, string? Continue = null, string? Service = null, string? Phase = null, string? StartedBy = null);

/// <summary>A typed client of the controller's release API (<c>/api/v1/releases</c>), shared by the <c>release</c> verbs.</summary>
public sealed class ReleaseClient(ControllerClient controller) : IDisposable
{
    private static readonly string Root = ReleaseEndpoints.Root.TrimStart('/');

    /// <inheritdoc cref="ControllerClient(Uri, TimeSpan, string?, string?)"/>
    public ReleaseClient(Uri server, TimeSpan timeout, string? token = null, string? tokenSource = null)
        : this(new ControllerClient(server, timeout, token, tokenSource))
    {
    }

    public Uri Server => controller.Server;

    /// <summary>One page of releases, newest first (<c>GET /api/v1/releases?limit=&amp;continue=&amp;service=&amp;phase=&amp;startedBy=</c>); null leaves a parameter out.</summary>
    public Task<ApiAnswer<ReleaseListView>> ListAsync(ReleaseListRequest request, CancellationToken cancellationToken)
    {
        var parameters = new[] { ("limit", request.Limit?.ToString(CultureInfo.InvariantCulture)), ("continue", request.Continue), ("service", request.Service), ("phase", request.Phase), ("startedBy", request.StartedBy) }
            .Where(p => p.Item2 is not null)
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}")
            .ToList();
        return controller.SendAsync<ReleaseListView>(HttpMethod.Get, parameters.Count == 0 ? Root : $"{Root}?{string.Join('&', parameters)}", null, cancellationToken);
    }

    /// <summary>Every release the request's filters match, newest first, page after page; the first refusal ends it.</summary>
    public async Task<ApiAnswer<IReadOnlyList<ReleaseView>>> ListAllAsync(ReleaseListRequest request, CancellationToken cancellationToken)
    {
        var all = new List<ReleaseView>();
        while (true)
        {
            var page = await ListAsync(request, cancellationToken);
            if (page.Value is not { } listed)
            {
                return new ApiAnswer<IReadOnlyList<ReleaseView>>(page.Status, null, page.Errors);
            }

            all.AddRange(listed.Items);
            if (listed.Continue is null)
            {
                return new ApiAnswer<IReadOnlyList<ReleaseView>>(page.Status, all, []);
            }

            request = request with { Continue = listed.Continue };
        }
    }

    public Task<ApiAnswer<ReleaseView>> GetAsync(string id, CancellationToken cancellationToken) =>
        controller.SendAsync<ReleaseView>(HttpMethod.Get, $"{Root}/{Uri.EscapeDataString(id)}", null, cancellationToken);

    /// <summary>
    /// The release <paramref name="name"/> names: the one with that id, else the newest release of the service so named
    /// (a service has one active release at most, and it is its newest), as <c>kubectl argo rollouts</c> names a rollout.
    /// </summary>
    public async Task<ApiAnswer<ReleaseView>> FindAsync(string name, CancellationToken cancellationToken)
    {
        var byId = await GetAsync(name, cancellationToken);
        if (byId.Status != HttpStatusCode.NotFound)
        {
            return byId;
        }

        var newest = await ListAsync(new ReleaseListRequest(Limit: 1, Service: name), cancellationToken);
        return newest.Value is { Items: [var release, ..] }
            ? new ApiAnswer<ReleaseView>(newest.Status, release, [])
            : byId with { Errors = [$"release: no release \"{name}\", and no release of a service \"{name}\"; release list shows them all"] };
    }

    /// <summary>
    /// Starts a release: 201 and the new release, or, with an <paramref name="idempotencyKey"/> an earlier start sent,
    /// 200 and the release that start made.
    /// </summary>
    public Task<ApiAnswer<ReleaseView>> StartAsync(StartBody start, CancellationToken cancellationToken, string? idempotencyKey = null) =>
        controller.SendAsync<ReleaseView>(HttpMethod.Post, Root, start, cancellationToken,
            idempotencyKey is null ? null : new Dictionary<string, string> { [ReleaseEndpoints.IdempotencyHeader] = idempotencyKey });

    /// <summary>Sends an operator action (a path segment of the API: pause, promote-full, retry, ...); retry answers the new release.</summary>
    public Task<ApiAnswer<ReleaseView>> ActAsync(string id, string action, string actor, CancellationToken cancellationToken) =>
        controller.SendAsync<ReleaseView>(HttpMethod.Post, $"{Root}/{Uri.EscapeDataString(id)}/{action}", new ActionBody(actor), cancellationToken);

    /// <summary>Starts a group release (<c>POST /api/v1/groups</c>): 201 and the group.</summary>
    public Task<ApiAnswer<GroupView>> StartGroupAsync(GroupStartBody start, CancellationToken cancellationToken) =>
        controller.SendAsync<GroupView>(HttpMethod.Post, GroupEndpoints.Root.TrimStart('/'), start, cancellationToken);

    /// <summary>A group release with each member's release as it is now.</summary>
    public Task<ApiAnswer<GroupView>> GetGroupAsync(string id, CancellationToken cancellationToken) =>
        controller.SendAsync<GroupView>(HttpMethod.Get, $"{GroupEndpoints.Root.TrimStart('/')}/{Uri.EscapeDataString(id)}", null, cancellationToken);

    /// <summary>An action on a whole group release (a path segment of the API: pause, resume, approve, abort).</summary>
    public Task<ApiAnswer<GroupView>> ActOnGroupAsync(string id, string action, string actor, CancellationToken cancellationToken) =>
        controller.SendAsync<GroupView>(HttpMethod.Post, $"{GroupEndpoints.Root.TrimStart('/')}/{Uri.EscapeDataString(id)}/{action}", new ActionBody(actor), cancellationToken);

    /// <summary>Every controller and every proxy of the mesh, with what each ACKed (<c>GET /api/v1/proxies</c>).</summary>
    public Task<ApiAnswer<MeshStatus>> ProxiesAsync(CancellationToken cancellationToken) =>
        controller.SendAsync<MeshStatus>(HttpMethod.Get, "api/v1/proxies", null, cancellationToken);

    public void Dispose() => controller.Dispose();
}
