using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LightMesh.Processes;
using LightMesh.Core.Releases;
using LightMesh.Etcd;
using LightMesh.Host.Security;
using LightMesh.Testing;
using LightMesh.Releases;

namespace LightMesh.Host.Tests.Hooks;

/// <summary>
/// The controller each hook test posts to: an API-only controller (no release engine, so a started release stays
/// recorded and active) on its own prefix, restartable on that prefix, with the hook secrets in its configuration.
/// </summary>
public sealed partial class HookTests
{
    private const string GitHubSecret = "It's a Secret to Everybody";
    private const string GitLabToken = "gitlab-token-1234";
    private const string GenericSecret = "generic-secret-5678";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _prefix = etcd.NewPrefix();
    private ControllerServer? _server;
    private Uri? _api;

    private ControllerServer Server => _server!;

    private static Dictionary<string, string?> Secrets => new()
    {
        ["LightMesh:Hooks:GitHub:Secret"] = GitHubSecret,
        ["LightMesh:Hooks:GitLab:Token"] = GitLabToken,
        ["LightMesh:Hooks:Generic:Secret"] = GenericSecret,
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public void Dispose() => _http.Dispose();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Starts (or restarts) the controller on this test's prefix with these hook settings.</summary>
    private async Task StartAsync(IReadOnlyDictionary<string, string?>? hookSettings = null)
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _server = null;
        _api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        _server = await ControllerServer.StartAsync(new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = _prefix }, Options(hookSettings ?? Secrets), null, default);
    }

    private ControllerOptions Options(IReadOnlyDictionary<string, string?> hookSettings)
    {
        var settings = ControllerHarness.TokenSettings(0, "test", Roles.Admin, ControllerHarness.Token);
        foreach (var (key, value) in hookSettings)
        {
            settings[key] = value;
        }

        return new ControllerOptions
        {
            Listen = _api!.ToString().TrimEnd('/'),
            XdsListen = $"127.0.0.1:{LoopbackPort.Free()}",
            RunReleases = false,
            Engine = new ReleaseEngineOptions { Candidate = $"test-{Guid.NewGuid():N}" },
            Settings = settings,
        };
    }

    /// <summary>
    /// A Service whose DestinationRule says v1 is stable, and a workflow named <c>{service}-flow</c> whose analysis
    /// template <c>{service}-check</c> declares the argument <c>region</c>; <paramref name="extra"/> documents are applied with them.
    /// </summary>
    private async Task ServiceAsync(string service, string? extra = null)
    {
        var template = TestMeshes.RegionTemplate($"{service}-check");
        var yaml = ControllerHarness.ServiceDocuments(service, $"  - deploy: {{}}\n  - pause: {{}}\n  - analysis: {{templates: [{service}-check]}}\n  - promote: {{}}") + "\n---\n" + template;
        using var connection = etcd.Connect(_prefix);
        await ControllerHarness.ApplyAsync(connection, extra is null ? yaml : $"{yaml}\n---\n{extra}");
    }

    private Task<List<ReleaseState>> ReleasesAsync() => Server.Releases.AllAsync();

    private static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private Task<Answer> GenericAsync(string body, string? idempotencyKey = null, string? secret = GenericSecret) =>
        PostAsync("generic", Encoding.UTF8.GetBytes(body), headers =>
        {
            if (secret is not null)
            {
                headers["X-LightMesh-Signature"] = Signature(secret, Encoding.UTF8.GetBytes(body));
            }

            if (idempotencyKey is not null)
            {
                headers["Idempotency-Key"] = idempotencyKey;
            }
        });

    private Task<Answer> GitHubAsync(string eventName, object payload, string delivery, string secret = GitHubSecret)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        return PostAsync("github", body, headers =>
        {
            headers["X-GitHub-Event"] = eventName;
            headers["X-GitHub-Delivery"] = delivery;
            headers["X-Hub-Signature-256"] = Signature(secret, body);
        });
    }

    private Task<Answer> GitLabAsync(string eventName, object payload, string eventId, string token = GitLabToken) =>
        PostAsync("gitlab", JsonSerializer.SerializeToUtf8Bytes(payload), headers =>
        {
            headers["X-Gitlab-Event"] = eventName;
            headers["X-Gitlab-Event-UUID"] = eventId;
            headers["X-Gitlab-Token"] = token;
        });

    private async Task<Answer> PostAsync(string provider, byte[] body, Action<Dictionary<string, string>> headers, bool chunked = false)
    {
        var given = new Dictionary<string, string>();
        headers(given);
        using HttpContent content = chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_api!, $"api/v1/hooks/{provider}")) { Content = content };
        foreach (var (name, value) in given)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    private async Task<string> MetricsAsync() => await _http.GetStringAsync(new Uri(_api!, "metrics"));

    /// <summary>An answer: status, content type, body as JSON, and as text for failure messages.</summary>
    private sealed record Answer(HttpStatusCode Status, string? ContentType, JsonElement Body, string Text)
    {
        public string Release => Body.GetProperty("release").GetString()!;

        /// <summary>The problem's errors, joined, for asserting what it names.</summary>
        public string Errors => string.Join("; ", Body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>A body without a known length, so the client sends it chunked, with no Content-Length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
