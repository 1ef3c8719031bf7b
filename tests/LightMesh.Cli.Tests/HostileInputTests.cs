using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// The hostile corpus (<c>tests/corpus/hostile</c>) given to the CLI and to a running controller process: <c>lightmesh
/// validate</c> exits 2 naming the problem; <c>POST /api/v1/documents</c> and the three CI webhooks answer as the
/// manifest says (4xx problem details naming the problem) having written nothing; and the controller still answers
/// <c>/healthz</c> after each one.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class HostileInputTests(ControllerProcessFixture controller) : IClassFixture<ControllerProcessFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-hostile-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public static TheoryData<string> Cases => HostileCorpus.Names;

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Validate_HostileInput_ExitsTwoNamingTheFileAndTheProblem(string name)
    {
        var input = HostileCorpus.Named(name);
        var file = Path.Combine(_directory, name);
        await File.WriteAllBytesAsync(file, input.Bytes());

        var result = await CliProcess.RunAsync("validate", "-f", file);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith($"{file}: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(input.Error, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_AliasCycle_ExitsTwoAndWritesNothing()
    {
        var file = Path.Combine(_directory, "alias-cycle.yaml");
        await File.WriteAllBytesAsync(file, HostileCorpus.Named("alias-cycle.yaml").Bytes());

        var result = await CliProcess.RunAsync("apply", "-f", file, "--server", controller.Url, $"--token={controller.AdminToken}");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("alias *a refers to a node that holds it (an alias cycle)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was written", result.Stderr, StringComparison.Ordinal);
        await AssertAliveAndEmptyAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ApplyApi_HostileInput_IsAProblemNamingIt_WritesNothing_AndTheControllerLives(string name)
    {
        var input = HostileCorpus.Named(name);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{controller.Url}/api/v1/documents") { Content = Body(input.Bytes(), "application/yaml") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", controller.AdminToken);

        var answer = await SendAsync(request);

        Assert.True((int)answer.Status == input.Status, answer.ToString());
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Contains(input.Error, answer.Text, StringComparison.Ordinal);
        await AssertAliveAndEmptyAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Webhooks_HostileInput_AreAnsweredAsTheManifestSays_AndTheControllerLives(string name)
    {
        var input = HostileCorpus.Named(name);
        var body = input.Bytes();
        foreach (var (provider, expected) in input.Hooks)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{controller.Url}/api/v1/hooks/{provider}") { Content = Body(body, "application/json") };
            Sign(request, provider, body);

            var answer = await SendAsync(request);

            Assert.True((int)answer.Status == expected.Status, $"{provider}: {answer}");
            Assert.True(answer.Text.Contains(expected.Text, StringComparison.Ordinal), $"{provider}: \"{expected.Text}\" not in {answer}");
            if (expected.Status >= 400)
            {
                Assert.Equal("application/problem+json", answer.ContentType);
            }

            await AssertAliveAndEmptyAsync();
        }
    }

    /// <summary>The credentials each provider sends: an HMAC of the body (GitHub, generic) or the token (GitLab), and the event's name.</summary>
    private static void Sign(HttpRequestMessage request, string provider, byte[] body)
    {
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ControllerProcessFixture.HookSecret), body));
        var headers = request.Headers;
        switch (provider)
        {
            case "github":
                headers.Add("X-GitHub-Event", "workflow_run");
                headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
                headers.Add("X-Hub-Signature-256", signature);
                break;
            case "gitlab":
                headers.Add("X-Gitlab-Event", "Pipeline Hook");
                headers.Add("X-Gitlab-Event-UUID", Guid.NewGuid().ToString());
                headers.Add("X-Gitlab-Token", ControllerProcessFixture.HookSecret);
                break;
            default:
                headers.Add("X-LightMesh-Signature", signature);
                break;
        }
    }

    private static ByteArrayContent Body(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, Strings(text));
    }

    private async Task AssertAliveAndEmptyAsync()
    {
        using var health = await _http.GetAsync(new Uri($"{controller.Url}/healthz"));
        Assert.True(health.IsSuccessStatusCode, $"/healthz: {health.StatusCode}\n{controller.Output}");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{controller.Url}/api/v1/documents/services");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", controller.ViewerToken);
        using var services = await _http.SendAsync(request);
        Assert.Equal("[]", await services.Content.ReadAsStringAsync());
    }

    /// <summary>Every string of a JSON answer, unescaped, one a line: what the answer says, whatever its shape.</summary>
    private static string Strings(string json)
    {
        static IEnumerable<string> Of(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => [element.GetString()!],
            JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Of(p.Value)),
            JsonValueKind.Array => element.EnumerateArray().SelectMany(Of),
            _ => [],
        };

        using var document = JsonDocument.Parse(json);
        return string.Join('\n', Of(document.RootElement));
    }

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Text)
    {
        public override string ToString() => $"{(int)Status} {ContentType}\n{Text}";
    }
}
