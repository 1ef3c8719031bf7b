using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LightMesh.Testing;

namespace LightMesh.Host.Tests.Api;

/// <summary>The document, node, proxy, readiness and OpenAPI endpoints of a real controller.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class DocumentApiTests(EtcdFixture etcd) : ControllerTestBase(etcd), IDisposable
{
    private static readonly string Checkout = TestMeshes.Join(TestMeshes.Service(), TestMeshes.Rule("checkout", ["v1"]));

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ControllerHarness.Token);
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, JsonElement Body)> ApplyAsync(string yaml)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await _http.PostAsync(new Uri(H.Api, "api/v1/documents"), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Apply_Get_List_Delete_AsTheCliDoes()
    {
        var (created, first) = await ApplyAsync(Checkout);
        Assert.Equal(HttpStatusCode.OK, created);
        Assert.Equal(["created", "created"], first.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("change").GetString()));
        var (_, again) = await ApplyAsync(Checkout);
        Assert.All(again.GetProperty("changes").EnumerateArray(), c => Assert.Equal("unchanged", c.GetProperty("change").GetString()));

        var service = await _http.GetFromJsonAsync<JsonElement>(new Uri(H.Api, "api/v1/documents/svc/checkout"));
        Assert.Equal(8080, service.GetProperty("spec").GetProperty("port").GetInt32());
        var rules = await _http.GetFromJsonAsync<JsonElement>(new Uri(H.Api, "api/v1/documents/destinationrules"));
        Assert.Equal("checkout", Assert.Single(rules.EnumerateArray()).GetProperty("metadata").GetProperty("name").GetString());

        using var stillNeeded = await _http.DeleteAsync(new Uri(H.Api, "api/v1/documents/services/checkout"));
        Assert.Equal(HttpStatusCode.Conflict, stillNeeded.StatusCode);
        using var deleted = await _http.DeleteAsync(new Uri(H.Api, "api/v1/documents/dr/checkout"));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var gone = await _http.GetAsync(new Uri(H.Api, "api/v1/documents/dr/checkout"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Apply_InvalidDocuments_AnswersEveryErrorWithItsPath_AndWritesNothing()
    {
        var (status, problem) = await ApplyAsync(TestMeshes.Join(TestMeshes.Service(port: 99999), TestMeshes.Rule("nosuch", ["v1"], name: "checkout")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains("spec.port", StringComparison.Ordinal));
        Assert.DoesNotContain((await H.Documents.ReadAsync(default)).Documents, d => d.Document.Name == "checkout");
    }

    [Fact]
    public async Task UnknownKind_Is404NamingTheKinds_AndAnonymousIs401()
    {
        using var unknown = await _http.GetAsync(new Uri(H.Api, "api/v1/documents/gadgets"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("virtualservices", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var anonymous = new HttpClient();
        using var refused = await anonymous.PostAsync(new Uri(H.Api, "api/v1/documents"), new StringContent(Checkout));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain((await H.Documents.ReadAsync(default)).Documents, d => d.Document.Name == "checkout");
    }

    [Fact]
    public async Task Readyz_Nodes_Proxies_AndTheOpenApiDocument()
    {
        await Poll.UntilAsync(async () => (await _http.GetAsync(new Uri(H.Api, "readyz"))).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "readiness");
        await ApplyAsync("apiVersion: lightmesh.io/v1\nkind: Node\nmetadata: {name: node-a}\nspec: {address: 127.0.0.1}");

        var nodes = await _http.GetFromJsonAsync<JsonElement>(new Uri(H.Api, "api/v1/nodes"));
        Assert.Equal("node-a", Assert.Single(nodes.EnumerateArray()).GetProperty("name").GetString());
        var proxies = await _http.GetFromJsonAsync<JsonElement>(new Uri(H.Api, "api/v1/proxies"));
        Assert.Equal(0, proxies.GetProperty("proxies").GetArrayLength());

        using var anonymous = new HttpClient();
        var openApi = await anonymous.GetFromJsonAsync<JsonElement>(new Uri(H.Api, "openapi/v1.json"));
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/documents/{kind}/{name}", paths);
        Assert.Contains("/api/v1/releases/{id}/{action}", paths);
    }
}
