using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Testing;

namespace LightMesh.Host.Tests.Api;

/// <summary>
/// The API while etcd is away: a request that needs etcd answers 503 with problem details naming etcd (a caller knows
/// to try again), not a bare 500, and the same request answers again once etcd is back.
/// </summary>
public sealed class EtcdOutageApiTests : IAsyncLifetime, IDisposable
{
    private readonly EtcdFixture _etcd = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private ControllerHarness? _harness;

    public async Task InitializeAsync()
    {
        await _etcd.InitializeAsync();
        _harness = await ControllerHarness.StartAsync(_etcd, runReleases: false);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControllerHarness.Token);
    }

    [Theory]
    [InlineData("GET", "api/v1/releases", null)]
    [InlineData("GET", "api/v1/documents/virtualservices", null)]
    [InlineData("POST", "api/v1/documents/virtualservices/alpha/weights?force=true", """{"weights": {"stable": 100}}""")]
    public async Task EtcdStopped_Is503NamingEtcd_AndTheRequestAnswersOnceItIsBack(string method, string path, string? body)
    {
        await _etcd.Server.StopAsync();
        using var refused = await SendAsync(method, path, body);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("etcd", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);

        // The controller's etcd client reconnects with a backoff of its own: the request answers within seconds.
        await _etcd.Server.RestartAsync();
        await Poll.UntilAsync(
            async () =>
            {
                using var answered = await SendAsync(method, path, body);
                return (int)answered.StatusCode;
            },
            status => status < 500,
            TimeSpan.FromSeconds(30),
            $"{method} /{path} answering once etcd is back");
    }

    private Task<HttpResponseMessage> SendAsync(string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_harness!.Api, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        return _http.SendAsync(request);
    }

    public void Dispose() => _http.Dispose();

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }

        await _etcd.DisposeAsync();
    }
}
