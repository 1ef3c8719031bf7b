using System.Collections.Concurrent;
using LightMesh.Processes;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using LightMesh.Releases.Steps;

namespace LightMesh.Releases.Tests;

/// <summary>Webhook steps against a real HTTP server on loopback.</summary>
public sealed class WebhookCallerTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Method, string Body, string? Token)> _received = new();
    private WebApplication? _server;
    private string _base = "";

    public async Task InitializeAsync()
    {
        var port = LoopbackPort.Free();
        _base = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(_base);
        _server = builder.Build();
        _server.Map("/ok", async (HttpContext context) =>
        {
            _received.Enqueue((context.Request.Method, await new StreamReader(context.Request.Body).ReadToEndAsync(), context.Request.Headers["X-Token"]));
            return Results.Ok();
        });
        _server.Map("/created", () => Results.StatusCode(201));
        _server.Map("/broken/{**rest}", () => Results.StatusCode(503));
        _server.Map("/slow", async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            return Results.Ok();
        });
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static ReleaseState Release() => ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", ((ReleaseWorkflow)DocumentParser.Parse(
        "apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {name: w}\nspec:\n  steps:\n  - promote: {}\n", "w.yaml").Documents.Single().Document).Spec, "ci", DateTimeOffset.UnixEpoch).State;

    private async Task<WebhookOutcome> CallAsync(string path, string? method = null, int? expect = null, string timeout = "2s")
    {
        Assert.True(Duration.TryParse(timeout, out var duration));
        using var http = new HttpClient();
        var step = new WebhookStep { Url = $"{_base}{path}", Method = method, ExpectStatus = expect, Timeout = duration, Headers = new Dictionary<string, string> { ["X-Token"] = "secret" } };
        return await new WebhookCaller(http).CallAsync(step, Release(), default);
    }

    [Fact]
    public async Task Call_2xx_PassesAndPostsTheRelease()
    {
        var outcome = await CallAsync("/ok");

        Assert.True(outcome.Passed, outcome.Reason);
        Assert.True(_received.TryDequeue(out var request));
        Assert.Equal("POST", request.Method);
        Assert.Contains("\"service\":\"checkout\"", request.Body, StringComparison.Ordinal);
        Assert.Equal("secret", request.Token);
    }

    [Fact]
    public async Task Call_UnexpectedStatus_FailsSayingWhatCameBack()
    {
        var broken = await CallAsync("/broken");
        var notExact = await CallAsync("/created", expect: 204);

        Assert.False(broken.Passed);
        Assert.Contains("answered 503, expected 2xx", broken.Reason, StringComparison.Ordinal);

        // The reason goes into the release's events, which every viewer reads: the URL's path (a Slack hook's secret) is not.
        Assert.StartsWith("POST http://127.0.0.1:", broken.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("/broken", broken.Reason, StringComparison.Ordinal);
        Assert.False(notExact.Passed);
        Assert.Contains("answered 201, expected 204", notExact.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notification_ARefusingReceiver_IsLoggedWithoutItsSecretPath()
    {
        var log = new Lines();
        using var http = new HttpClient();
        var sender = new Notifications.NotificationSender(http, log, TimeProvider.System);
        var release = Release();

        var told = await sender.SendAsync(release, 0, release.Events[0], $"{_base}/broken/T0/B0/s3cret#slack", default);

        Assert.False(told);
        Assert.Equal(3, log.Count);
        Assert.All(log, line => Assert.Contains($"Notification of release {release.Id} ({release.Service}) to {_base}/… answered 503", line, StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GroupNotification_ARefusingReceiver_IsLoggedAsTheGroupsWithoutItsSecretPath()
    {
        var log = new Lines();
        using var http = new HttpClient();
        var sender = new Notifications.NotificationSender(http, log, TimeProvider.System);
        var spec = new ReleaseGroupSpec { Members = [new GroupMember("payments", "canary", [])] };
        var group = ReleaseGroupDecider.Start("shop-1", "shop", spec, new Dictionary<string, string> { ["payments"] = "v2" }, "ci", DateTimeOffset.UtcNow);

        var told = await sender.SendGroupAsync(group, 0, group.Events[0], $"{_base}/broken/T0/B0/s3cret", default);

        Assert.False(told);
        Assert.Equal(3, log.Count);
        Assert.All(log, line => Assert.Contains($"Notification of group release shop-1 (shop) to {_base}/… answered 503", line, StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("s3cret", StringComparison.Ordinal));
    }

    /// <summary>The messages logged, formatted.</summary>
    private sealed class Lines : List<string>, Microsoft.Extensions.Logging.ILogger<Notifications.NotificationSender>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Add(formatter(state, exception));
    }

    [Fact]
    public async Task Call_TooSlowOrNobodyListening_Fails()
    {
        var slow = await CallAsync("/slow", method: "GET", timeout: "300ms");
        var nobody = await new WebhookCaller(new HttpClient()).CallAsync(new WebhookStep { Url = $"http://127.0.0.1:{LoopbackPort.Free()}/" }, Release(), default);

        Assert.Contains("did not answer within 0.3s", slow.Reason, StringComparison.Ordinal);
        Assert.Contains("could not be reached", nobody.Reason, StringComparison.Ordinal);
    }
}
