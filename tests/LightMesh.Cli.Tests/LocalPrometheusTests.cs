using System.Net;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using LightMesh.Processes;
using LightMesh.Core.Security;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests;

/// <summary>
/// The demo's own Prometheus, started as a child process against a discovery endpoint that wants a bearer token: it
/// finds the target with its labels within seconds (so the token file and the short refresh interval are used), and
/// leaves nothing behind.
/// </summary>
public sealed class LocalPrometheusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lightmesh-local-prometheus-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task StartAsync_DiscoversTheTargetWithItsLabels_FollowsAChange_AndDisposeStopsIt()
    {
        var token = TokenHash.NewToken();
        using var discovery = new DiscoveryEndpoint(token);
        using (var anonymous = await _http.GetAsync(discovery.Url))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var prometheus = await LocalPrometheus.StartAsync(
            new LocalPrometheusOptions
            {
                DiscoveryUrl = discovery.Url,
                DiscoveryToken = token,
                DiscoveryRefreshInterval = TimeSpan.FromSeconds(1),
                ControllerMetricsUrl = discovery.MetricsUrl,
                ScrapeInterval = TimeSpan.FromSeconds(1),
                EvaluationInterval = TimeSpan.FromSeconds(1),
            },
            _dir,
            timeout.Token);
        var pid = prometheus.Process.Id;
        try
        {
            // Prometheus hands discovered targets to its scrape pools at most every 5 s, whatever the refresh interval.
            var v1 = await Poll.UntilAsync(
                () => TargetsAsync(prometheus.Url), t => t.Has(PrometheusConfig.DiscoveryJob, "v1"), TimeSpan.FromSeconds(20), "the discovered target, version v1");
            Assert.Equal(discovery.MetricsUrl.AbsoluteUri, v1.Items.Single(t => t.Job == PrometheusConfig.DiscoveryJob).ScrapeUrl);

            // With Prometheus's default refresh interval (60 s) this would time out.
            discovery.Version = "v2";
            await Poll.UntilAsync(
                () => TargetsAsync(prometheus.Url), t => t.Has(PrometheusConfig.DiscoveryJob, "v2"), TimeSpan.FromSeconds(15), "the target's new version, v2");

            await Poll.UntilAsync(
                () => TargetsAsync(prometheus.Url),
                t => t.Items.Any(x => x.Job == PrometheusConfig.ControllerJob && x.ScrapeUrl == discovery.MetricsUrl.AbsoluteUri && x.Health == "up"),
                TimeSpan.FromSeconds(15),
                "the controller's /metrics, scraped");
            Assert.Equal(1, discovery.Refused); // the test's own request, above: Prometheus always sent the token
            Assert.True(discovery.Answered > 1, $"discovery was asked {discovery.Answered} time(s)");

            var tokenFile = Path.Combine(_dir, "prometheus-token");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
            Assert.Equal(token, (await File.ReadAllTextAsync(tokenFile)).Trim());
        }
        finally
        {
            await prometheus.DisposeAsync();
        }

        Assert.False(Directory.Exists($"/proc/{pid}"), "Prometheus is still running");
        LocalEtcdTests.AssertFree(prometheus.Url.Port);
    }

    private async Task<Targets> TargetsAsync(Uri prometheus)
    {
        var answer = JsonNode.Parse(await _http.GetStringAsync(new Uri(prometheus, "api/v1/targets")))!;
        return new Targets([.. answer["data"]!["activeTargets"]!.AsArray().Select(t => new Target(
            t!["labels"]!["job"]!.GetValue<string>(),
            t["labels"]!["version"]?.GetValue<string>(),
            t["labels"]!["service"]?.GetValue<string>(),
            t["scrapeUrl"]!.GetValue<string>(),
            t["health"]!.GetValue<string>()))]);
    }

    private sealed record Target(string Job, string? Version, string? Service, string ScrapeUrl, string Health);

    private sealed record Targets(IReadOnlyList<Target> Items)
    {
        public bool Has(string job, string version) => Items.Any(t => t.Job == job && t.Service == "checkout" && t.Version == version);

        public override string ToString() => Items.Count == 0 ? "no targets" : string.Join("; ", Items);
    }
}
