using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LightMesh.Core;
using LightMesh.Etcd.Releases;
using LightMesh.Host.Api;
using LightMesh.Host.Configuration;

namespace LightMesh.Client;

/// <summary>
/// The HTTP side of every verb that calls the controller's API: the base address, a timeout per request, the bearer
/// token, and the answer read as a value or as the problem details' errors. The release and document clients sit on it.
/// </summary>
public sealed class ControllerClient : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly string? _tokenSource;

    /// <param name="server">The controller's URL; a path it is served under (behind a proxy) is kept.</param>
    /// <param name="timeout">How long one request may take before the controller counts as unreachable.</param>
    /// <param name="token">The bearer token sent with every request; null sends none.</param>
    /// <param name="tokenSource">Where the token came from (<c>--token</c>, <c>$LIGHTMESH_TOKEN</c>, ...), for the error when it is refused.</param>
    public ControllerClient(Uri server, TimeSpan timeout, string? token = null, string? tokenSource = null)
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

    /// <summary>Sends a request (<paramref name="body"/> as JSON, if any, and <paramref name="headers"/>) and reads the answer as <typeparamref name="T"/>.</summary>
    public async Task<ApiAnswer<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? headers = null)
        where T : class
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

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
            throw new ServerUnreachableException(
                $"the controller at {Server} could not be reached: {e.Message}; start one (./lightmesh dev up for trying, else lightmesh server) or point --server or ${ControllerVariables.Server} at a running one", e);
        }

        var where = $"{method} {new Uri(Server, path)}";
        if ((int)status is >= 200 and < 300)
        {
            return new ApiAnswer<T>(status, Parse<T>(text, where, status), []);
        }

        IReadOnlyList<string> errors = TryParse<ErrorsView>(text)?.Errors is { Count: > 0 } given ? given : [$"{where}: {(int)status} {status}"];
        if (status == HttpStatusCode.Unauthorized)
        {
            errors = [.. errors, _tokenSource is null
                ? $"no token was sent: give one with --token or ${ControllerVariables.Token}, or put it in {AuthOptions.DefaultTokenFile}"
                : $"the controller does not accept the token from {_tokenSource}: give one it knows with --token or ${ControllerVariables.Token} (a controller with no tokens configured writes its admin token to {AuthOptions.DefaultTokenFile} on its host; dev env prints the dev environment's)"];
        }

        return new ApiAnswer<T>(status, null, errors);
    }

    public void Dispose() => _http.Dispose();

    private static T Parse<T>(string json, string where, HttpStatusCode status)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, ReleaseJson.Options) ?? throw new LightMeshException($"{where} answered {(int)status} without a body");
        }
        catch (JsonException e)
        {
            throw new LightMeshException($"{where} answered {(int)status} with something that is not the controller API's JSON: {e.Message}", e);
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
