using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using LightMesh.Processes;
using LightMesh.Core;
using LightMesh.Core.Security;
using LightMesh.Etcd;
using LightMesh.Host.Security;
using LightMesh.Testing;
using Microsoft.Extensions.Logging;
using LightMesh.Releases;

namespace LightMesh.Host.Tests.Security;

/// <summary>
/// Bearer tokens and roles on a real controller (in process, on a real etcd): what each role may do, what a request
/// without a good token gets (401, nothing changed), the initial admin token, configuration that stops the start, and
/// a log that never holds a token.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class AuthTests(EtcdFixture etcd) : IAsyncLifetime, IDisposable
{
    private static readonly string ViewerToken = TokenHash.NewToken();
    private static readonly string OperatorToken = TokenHash.NewToken();
    private static readonly string AdminToken = TokenHash.NewToken();

    private readonly string _prefix = etcd.NewPrefix();
    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-auth-").FullName;
    private readonly List<ControllerServer> _servers = [];
    private readonly LogSink _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A viewer ("watcher"), an operator ("deployer") and an admin ("boss").</summary>
    private Dictionary<string, string?> ThreeRoles => new(
        ControllerHarness.TokenSettings(0, "watcher", Roles.Viewer, ViewerToken)
            .Concat(ControllerHarness.TokenSettings(1, "deployer", Roles.Operator, OperatorToken))
            .Concat(ControllerHarness.TokenSettings(2, "boss", Roles.Admin, AdminToken))
            .Append(new("LightMesh:Auth:TokenFile", Path.Combine(_directory, "unused", "token"))));

    [Fact]
    public async Task Viewer_ReadsEverything_ButStartingIs403AndStartsNothing()
    {
        var api = await StartAsync(ThreeRoles);
        await ServiceAsync("alpha");

        foreach (var path in new[] { "api/v1/releases", "api/v1/controller", "status" })
        {
            var (readStatus, _, _) = await SendAsync(HttpMethod.Get, new Uri(api, path), ViewerToken);
            Assert.True(readStatus == HttpStatusCode.OK, $"GET /{path}: {readStatus}");
        }

        var (status, _, problem) = await SendAsync(HttpMethod.Post, new Uri(api, "api/v1/releases"), ViewerToken, Start("alpha"));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("role: this needs operator or higher; token \"watcher\" is viewer: use a token with that role", problem.GetProperty("errors")[0].GetString());
        Assert.Empty(await _servers[0].Releases.AllAsync());
    }

    [Fact]
    public async Task ReadingAWorkflow_ViewersAndOperatorsSeeItsReceiversRedacted_AdminsInFull()
    {
        var api = await StartAsync(ThreeRoles);
        using (var connection = etcd.Connect(_prefix))
        {
            await ControllerHarness.ApplyAsync(connection, ControllerHarness.ServiceDocuments(
                "delta",
                "  - webhook: {url: 'https://gate.example/check?key=k1', headers: {Authorization: Bearer t0ken}}\n  - promote: {}",
                "  notifications: ['https://hooks.slack.com/services/T0/B0/s3cret']"));
        }

        foreach (var token in new[] { ViewerToken, OperatorToken })
        {
            foreach (var path in new[] { "api/v1/documents/releaseworkflows/delta-flow", "api/v1/documents/releaseworkflows" })
            {
                var (status, _, body) = await SendAsync(HttpMethod.Get, new Uri(api, path), token);
                var text = body.GetRawText();
                Assert.True(status == HttpStatusCode.OK, $"GET /{path}: {status}");
                Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
                Assert.DoesNotContain("t0ken", text, StringComparison.Ordinal);
                Assert.DoesNotContain("k1", text, StringComparison.Ordinal);
                Assert.Contains("https://hooks.slack.com/…", text, StringComparison.Ordinal);
                Assert.Contains("\"Authorization\":\"…\"", text, StringComparison.Ordinal);
            }
        }

        var (_, _, full) = await SendAsync(HttpMethod.Get, new Uri(api, "api/v1/documents/releaseworkflows/delta-flow"), AdminToken);
        Assert.Contains("https://hooks.slack.com/services/T0/B0/s3cret", full.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("Bearer t0ken", full.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorStarts_AndAdminActs()
    {
        var api = await StartAsync(ThreeRoles);
        await ServiceAsync("beta");

        var (started, _, release) = await SendAsync(HttpMethod.Post, new Uri(api, "api/v1/releases"), OperatorToken, Start("beta"));
        Assert.Equal(HttpStatusCode.Created, started);
        var id = release.GetProperty("id").GetString();
        var (aborted, _, _) = await SendAsync(HttpMethod.Post, new Uri(api, $"api/v1/releases/{id}/abort"), AdminToken, "{\"actor\": \"boss\"}");

        Assert.Equal(HttpStatusCode.OK, aborted);
    }

    [Fact]
    public async Task NoToken_Is401WithABearerChallenge_AndStartsNothing()
    {
        var api = await StartAsync(ThreeRoles);
        await ServiceAsync("gamma");

        foreach (var (method, path, body) in new[]
        {
            (HttpMethod.Get, "api/v1/releases", null), (HttpMethod.Get, "api/v1/controller", null), (HttpMethod.Get, "status", null),
            (HttpMethod.Get, "api/v1/no-such-endpoint", null), (HttpMethod.Post, "api/v1/releases", Start("gamma")),
        })
        {
            var (status, headers, problem) = await SendAsync(method, new Uri(api, path), null, body);

            Assert.True(status == HttpStatusCode.Unauthorized, $"{method} /{path}: {status}");
            Assert.Equal("Bearer", headers.WwwAuthenticate.Single().ToString());
            Assert.Equal(BearerHeader.Missing, problem.GetProperty("errors")[0].GetString());
        }

        Assert.Empty(await _servers[0].Releases.AllAsync());
    }

    [Theory]
    [InlineData("Bearer not-a-known-token", BearerHeader.Unknown)]
    [InlineData("Basic dXNlcjpwYXNz", BearerHeader.Malformed)]
    [InlineData("Bearer", BearerHeader.Malformed)]
    public async Task WrongToken_Is401NamingWhatIsWrong_AndStartsNothing(string authorization, string error)
    {
        var api = await StartAsync(ThreeRoles);
        await ServiceAsync("delta");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "api/v1/releases")) { Content = new StringContent(Start("delta"), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.Single().ToString());
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0].GetString());
        Assert.Empty(await _servers[0].Releases.AllAsync());
    }

    [Fact]
    public async Task HealthAndMetrics_NeedNoToken()
    {
        var api = await StartAsync(ThreeRoles);

        Assert.Equal("ok", await _http.GetStringAsync(new Uri(api, "healthz")));
        Assert.NotEmpty(await _http.GetStringAsync(new Uri(api, "metrics")));
        using var ready = await _http.GetAsync(new Uri(api, "readyz"));
        Assert.NotEqual(HttpStatusCode.Unauthorized, ready.StatusCode);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task NoTokenConfigured_MakesAnInitialAdminToken_InAFileOnlyTheUserReads_AndTheNextStartKeepsIt()
    {
        var file = Path.Combine(_directory, "home", ".lightmesh", "token");
        var api = await StartAsync(new() { ["LightMesh:Auth:TokenFile"] = file });
        await ServiceAsync("epsilon");

        var token = (await File.ReadAllTextAsync(file)).Trim();
        Assert.Equal(43, token.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        var (started, _, _) = await SendAsync(HttpMethod.Post, new Uri(api, "api/v1/releases"), token, Start("epsilon"));
        Assert.Equal(HttpStatusCode.Created, started);
        using var connection = etcd.Connect(_prefix);
        var stored = (await connection.GetAsync(connection.Keys.InitialAdmin, default)).Kvs.Single().Value.ToStringUtf8();
        Assert.Equal(TokenHash.HexOf(token), JsonDocument.Parse(stored).RootElement.GetProperty("sha256").GetString());
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);

        // The next controller on this etcd, here or on another host, takes the token it finds and writes no file.
        var written = File.GetLastWriteTimeUtc(file);
        await _servers[0].DisposeAsync();
        _servers.Clear();
        var other = Path.Combine(_directory, "other", ".lightmesh", "token");
        var next = await StartAsync(new() { ["LightMesh:Auth:TokenFile"] = other });
        var (listed, _, _) = await SendAsync(HttpMethod.Get, new Uri(next, "api/v1/releases"), token);

        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.False(File.Exists(other));
        Assert.Equal(token, (await File.ReadAllTextAsync(file)).Trim());
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
    }

    [Fact]
    public async Task TwoControllersStartingTogether_AgreeOnOneInitialAdminToken()
    {
        var files = new[] { Path.Combine(_directory, "a", "token"), Path.Combine(_directory, "b", "token") };

        var apis = await Task.WhenAll(files.Select(f => StartAsync(new() { ["LightMesh:Auth:TokenFile"] = f })));

        var written = Assert.Single(files, File.Exists);
        var token = (await File.ReadAllTextAsync(written)).Trim();
        foreach (var api in apis)
        {
            var (status, _, _) = await SendAsync(HttpMethod.Get, new Uri(api, "api/v1/releases"), token);
            Assert.Equal(HttpStatusCode.OK, status);
        }
    }

    [Theory]
    [InlineData("LightMesh:Auth:Tokens:1:Role", "root", "LightMesh:Auth:Tokens:1:Role: \"root\" is not one of viewer, operator, admin")]
    [InlineData("LightMesh:Auth:Tokens:0:Sha256", "my-secret-token", "LightMesh:Auth:Tokens:0:Sha256: must be 64 hex digits, the SHA-256 of the token")]
    [InlineData("LightMesh:Auth:Tokens:1:Name", "watcher", "LightMesh:Auth:Tokens:1:Name: \"watcher\" is also the name of LightMesh:Auth:Tokens:0")]
    [InlineData("LightMesh:Auth:Tokenz:0:Name", "x", "LightMesh:Auth:Tokenz: not a setting; LightMesh:Auth has Tokens, TokenFile")]
    public async Task WrongConfiguration_StopsTheStart_NamingTheKey(string key, string value, string error)
    {
        var settings = ThreeRoles;
        settings[key] = value;

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => StartAsync(settings));

        Assert.Contains(error, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("my-secret-token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LightMeshServer_WrongValueInTheEnvironment_ExitsTwoNamingTheKey()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _directory };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "lightmesh.dll"), "server", "--etcd", etcd.Endpoint, "--prefix", _prefix,
            "--listen", $"http://127.0.0.1:{LoopbackPort.Free()}", "--xds-listen", $"127.0.0.1:{LoopbackPort.Free()}",
        })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = _directory;
        foreach (var (key, value) in ControllerHarness.TokenSettings(0, "ci", Roles.Viewer, ViewerToken).Append(new("LightMesh:Auth:Tokens:1:Role", "root")))
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 2, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
        Assert.Contains("error: LightMesh:Auth:Tokens:1:Name: required", await stderr, StringComparison.Ordinal);
        Assert.Contains("LightMesh:Auth:Tokens:1:Role: \"root\" is not one of viewer, operator, admin", await stderr, StringComparison.Ordinal);
    }

    /// <summary>One base64url token in 64 would start with '-', which <c>--token TOKEN</c> takes for an option.</summary>
    [Fact]
    public void NewTokens_AreBase64UrlOf32Bytes_AndNeverStartWithADash()
    {
        var tokens = Enumerable.Range(0, 10_000).Select(_ => TokenHash.NewToken()).ToList();

        Assert.All(tokens, t => Assert.True(t.Length == 43 && t[0] != '-' && t.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), t));
        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Log_NamesTheTokenFile_ButNeverHoldsAToken()
    {
        var file = Path.Combine(_directory, "home", ".lightmesh", "token");
        var initial = await StartAsync(new() { ["LightMesh:Auth:TokenFile"] = file });
        var configured = await StartAsync(ThreeRoles, etcd.NewPrefix());
        var token = (await File.ReadAllTextAsync(file)).Trim();
        var wrong = TokenHash.NewToken();

        foreach (var (api, used) in new[] { (initial, token), (configured, OperatorToken), (configured, ViewerToken), (initial, wrong), (configured, wrong) })
        {
            await SendAsync(HttpMethod.Get, new Uri(api, "api/v1/releases"), used);
            await SendAsync(HttpMethod.Post, new Uri(api, "api/v1/releases"), used, Start("nosuch"));
        }

        await Task.WhenAll(_servers.Select(s => s.DisposeAsync().AsTask()));
        _servers.Clear();
        var log = _log.Text;
        Assert.Contains(file, log, StringComparison.Ordinal);
        Assert.Contains("Request finished", log, StringComparison.Ordinal);
        foreach (var secret in new[] { token, OperatorToken, ViewerToken, wrong })
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose()
    {
        _http.Dispose();
        _log.Dispose();
    }

    private static string Start(string service) => JsonSerializer.Serialize(new { service, version = "v2", workflow = $"{service}-flow", actor = "test" });

    /// <summary>A controller that runs no releases (it records them), logging everything to <see cref="_log"/>.</summary>
    private async Task<Uri> StartAsync(Dictionary<string, string?> settings, string? prefix = null)
    {
        var api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var options = new ControllerOptions
        {
            Listen = api.ToString().TrimEnd('/'), XdsListen = $"127.0.0.1:{LoopbackPort.Free()}", RunReleases = false, Settings = settings,
            Engine = new ReleaseEngineOptions { Candidate = $"test-{Guid.NewGuid():N}" },
        };
        var server = await ControllerServer.StartAsync(
            new EtcdOptions { Endpoints = etcd.Endpoint, Prefix = prefix ?? _prefix }, options, logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_log), default);
        lock (_servers)
        {
            _servers.Add(server);
        }

        return api;
    }

    /// <summary>A service whose stable version is v1 (its DestinationRule says so) and a workflow <c>SERVICE-flow</c>.</summary>
    private async Task ServiceAsync(string service)
    {
        using var connection = etcd.Connect(_prefix);
        await ControllerHarness.ApplyAsync(connection, ControllerHarness.ServiceDocuments(service, "  - deploy: {}\n  - pause: {}\n  - promote: {}"));
    }

    private async Task<(HttpStatusCode Status, HttpResponseHeaders Headers, JsonElement Body)> SendAsync(HttpMethod method, Uri uri, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Headers, text.StartsWith('{') || text.StartsWith('[') ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    /// <summary>Every log entry at every level: its message, exception, structured values and scopes.</summary>
    private sealed class LogSink : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public string Text => string.Join('\n', _entries);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => sink._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var entry = new StringBuilder($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {exception}");
                Append(entry, state);
                sink._scopes.ForEachScope((scope, builder) => Append(builder, scope), entry);
                sink._entries.Enqueue(entry.ToString());
            }

            private static void Append(StringBuilder entry, object? values)
            {
                entry.Append(" | ").Append(values);
                if (values is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                    {
                        entry.Append(' ').Append(key).Append('=').Append(value);
                    }
                }
            }
        }
    }
}
