using LightMesh.Cli.Api;
using LightMesh.ControlPlane.Hosting;
using LightMesh.Host.Api;

namespace LightMesh.Cli.Commands.Release;

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

    public Task<ApiAnswer<IReadOnlyList<ReleaseView>>> ListAsync(CancellationToken cancellationToken) =>
        controller.SendAsync<IReadOnlyList<ReleaseView>>(HttpMethod.Get, Root, null, cancellationToken);

    public Task<ApiAnswer<ReleaseView>> GetAsync(string id, CancellationToken cancellationToken) =>
        controller.SendAsync<ReleaseView>(HttpMethod.Get, $"{Root}/{Uri.EscapeDataString(id)}", null, cancellationToken);

    public Task<ApiAnswer<ReleaseView>> StartAsync(StartBody start, CancellationToken cancellationToken) =>
        controller.SendAsync<ReleaseView>(HttpMethod.Post, Root, start, cancellationToken);

    /// <summary>Sends an operator action (a path segment of the API: pause, promote-full, retry, ...); retry answers the new release.</summary>
    public Task<ApiAnswer<ReleaseView>> ActAsync(string id, string action, string actor, CancellationToken cancellationToken) =>
        controller.SendAsync<ReleaseView>(HttpMethod.Post, $"{Root}/{Uri.EscapeDataString(id)}/{action}", new ActionBody(actor), cancellationToken);

    /// <summary>The control plane's status: every connected proxy and what it ACKed (<c>GET /api/v1/proxies</c>).</summary>
    public Task<ApiAnswer<StatusReport>> ProxiesAsync(CancellationToken cancellationToken) =>
        controller.SendAsync<StatusReport>(HttpMethod.Get, "api/v1/proxies", null, cancellationToken);

    public void Dispose() => controller.Dispose();
}
