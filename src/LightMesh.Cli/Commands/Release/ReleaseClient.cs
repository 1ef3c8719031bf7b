using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LightMesh.Core;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using LightMesh.Host.Configuration;

using LightMesh.ControlPlane.Hosting;

namespace LightMesh.Cli.Commands.Release;

/// <summary>A typed client of the controller's release API (<c>/api/v1/releases</c>), shared by the <c>release</c> verbs.</summary>
public sealed class ReleaseClient : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly string Root = ReleaseEndpoints.Root.TrimStart('/');

    private readonly HttpClient _http;
    private readonly string? _tokenSource;

    /// <param name="server">The controller's URL; a path it is served under (behind a proxy) is kept.</param>
    /// <param name="timeout">How long one request may take before the controller counts as unreachable.</param>
    /// <param name="token">The bearer token sent with every request; null sends none.</param>
    /// <param name="tokenSource">Where the token came from (<c>--token</c>, <c>$LIGHTMESH_TOKEN</c>, ...), for the error when it is refused.</param>
    public ReleaseClient(Uri server, TimeSpan timeout, string? token = null, string? tokenSource = null)
    {
        var baseAddress = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = timeout };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            _tokenSource = tokenSource ?? "the caller";
        }
    }

    public Uri Server => _http.BaseAddress!;

    public Task<ReleaseAnswer<IReadOnlyList<ReleaseView>>> ListAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<ReleaseView>>(HttpMethod.Get, Root, null, cancellationToken);

    public Task<ReleaseAnswer<ReleaseView>> GetAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<ReleaseView>(HttpMethod.Get, $"{Root}/{Uri.EscapeDataString(id)}", null, cancellationToken);

    public Task<ReleaseAnswer<ReleaseView>> StartAsync(StartBody start, CancellationToken cancellationToken) =>
        SendAsync<ReleaseView>(HttpMethod.Post, Root, start, cancellationToken);

    /// <summary>Sends an operator action (a path segment of the API: pause, promote-full, retry, ...); retry answers the new release.</summary>
    public Task<ReleaseAnswer<ReleaseView>> ActAsync(string id, string action, string actor, CancellationToken cancellationToken) =>
        SendAsync<ReleaseView>(HttpMethod.Post, $"{Root}/{Uri.EscapeDataString(id)}/{action}", new ActionBody(actor), cancellationToken);

    /// <summary>The control plane's status: every connected proxy and what it ACKed (<c>GET /api/v1/proxies</c>).</summary>
    public Task<ReleaseAnswer<StatusReport>> ProxiesAsync(CancellationToken cancellationToken) =>
        SendAsync<StatusReport>(HttpMethod.Get, "api/v1/proxies", null, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<ReleaseAnswer<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
        where T : class
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        HttpStatusCode status;
        string text;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            status = response.StatusCode;
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException($"the controller at {Server} could not be reached: {e.Message}", e);
        }

        var where = $"{method} {new Uri(Server, path)}";
        if ((int)status is >= 200 and < 300)
        {
            return new ReleaseAnswer<T>(status, Parse<T>(text, where, status), []);
        }

        IReadOnlyList<string> errors = TryParse<ErrorsView>(text)?.Errors is { Count: > 0 } given ? given : [$"{where}: {(int)status} {status}"];
        if (status == HttpStatusCode.Unauthorized)
        {
            errors = [.. errors, _tokenSource is null
                ? $"no token was sent: give one with --token or ${ReleaseSettings.TokenVariable}, or put it in {AuthOptions.DefaultTokenFile}"
                : $"the controller does not accept the token from {_tokenSource}"];
        }

        return new ReleaseAnswer<T>(status, null, errors);
    }

    private static T Parse<T>(string json, string where, HttpStatusCode status)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, ReleaseJson.Options) ?? throw new LightMeshException($"{where} answered {(int)status} without a body");
        }
        catch (JsonException e)
        {
            throw new LightMeshException($"{where} answered {(int)status} with something that is not the release API's JSON: {e.Message}", e);
        }
    }

    private static T? TryParse<T>(string json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, ReleaseJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // A body with its length, not chunked: the controller reads an action's body only when it has a Content-Length.
    private static ByteArrayContent Json(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), ReleaseJson.Options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
