using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Testing;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// The dashboards and Prometheus rules work in a real Prometheus: promtool accepts the rules and their unit tests pass,
/// every expression parses and runs (an empty panel or a silent alert otherwise), and the panels that set a canary
/// against stable show a failing, slow canary as such.
/// </summary>
public sealed class MonitoringQueryTests
{
    /// <summary>The dashboards' own variables, as a user would pick them.</summary>
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal) { ["service"] = "demo" };

    [Fact]
    public async Task Rules_Promtool_AcceptsThemAndTheirUnitTestsPass()
    {
        var check = await PromtoolAsync("check", "rules", MonitoringQueries.RulesFile);
        var test = await PromtoolAsync("test", "rules", Path.Combine(Repository.Root, "deploy", "prometheus", "rules.test.yml"));

        Assert.True(check.ExitCode == 0 && check.Output.Contains("SUCCESS", StringComparison.Ordinal), check.Output);
        Assert.True(test.ExitCode == 0 && test.Output.Contains("SUCCESS", StringComparison.Ordinal), test.Output);
    }

    [Fact]
    public async Task EveryQuery_DashboardsAndRules_PrometheusRunsIt()
    {
        var queries = MonitoringQueries.All();
        var (prometheus, at) = await StartAsync();
        await using var _ = prometheus;

        var failures = new List<string>();
        foreach (var query in queries)
        {
            var answer = await QueryAsync(prometheus, MonitoringQueries.Concrete(query.Expression, Variables), at);
            if (answer["status"]?.GetValue<string>() != "success")
            {
                failures.Add($"{query}\n  {answer["error"]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        var sources = queries.Select(q => q.Where[..q.Where.IndexOf(':', StringComparison.Ordinal)]).Distinct();
        Assert.Equal(["control-plane.json", "releases.json", "rules.yml"], sources.Order(StringComparer.Ordinal));
        Assert.Contains(queries, q => q.Where.Contains("annotation", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Where.Contains("variable service", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CanaryPanels_CanaryFailingAFifthAndSlow_ShowItAgainstAHealthyStable()
    {
        var releases = MonitoringQueries.OfDashboard(MonitoringQueries.Dashboard("releases.json"));
        var rules = MonitoringQueries.OfRules(MonitoringQueries.RulesFile);
        var (prometheus, at) = await StartAsync();
        await using var _ = prometheus;

        async Task<Dictionary<string, double>> ByVersionAsync(IEnumerable<MonitoringQueries.Query> queries, string where)
        {
            var query = queries.Single(q => q.Where.Contains(where, StringComparison.Ordinal));
            var answer = await QueryAsync(prometheus, MonitoringQueries.Concrete(query.Expression, Variables), at);
            return answer["data"]!["result"]!.AsArray().ToDictionary(
                r => r!["metric"]!["version"]!.GetValue<string>(),
                r => double.Parse(r!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture));
        }

        var errors = await ByVersionAsync(releases, "panel \"Error rate by version");
        var p99 = await ByVersionAsync(releases, "panel \"p99 latency by version");
        var recorded = await ByVersionAsync(rules, "service_version:demo_request_errors:ratio_rate5m");

        Assert.Equal(0, errors["v1"], 9);
        Assert.Equal(0.2, errors["v2"], 9);
        Assert.Equal((0.0, 0.2), (Math.Round(recorded["v1"], 9), Math.Round(recorded["v2"], 9)));
        Assert.InRange(p99["v1"], 0.01, 0.025);
        Assert.InRange(p99["v2"], 0.5, 1);
    }

    /// <summary>
    /// A Prometheus holding the demo service's metrics for service demo as discovery labels them: stable v1 answers every
    /// request in 20 ms; canary v2 fails a fifth (HTTP 500 and gRPC Unavailable, as the demo fails) and takes 800 ms.
    /// </summary>
    private static async Task<(PrometheusServer Server, DateTimeOffset At)> StartAsync()
    {
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60 - 60);
        var times = OpenMetrics.Times(end - TimeSpan.FromMinutes(30), end, TimeSpan.FromSeconds(10)).ToList();
        double[] bounds = [.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5];
        var metrics = new OpenMetrics()
            .Counter("demo_requests", "service=\"demo\",version=\"v1\",method=\"GET /\",code=\"200\"", times, _ => 100)
            .Counter("demo_requests", "service=\"demo\",version=\"v2\",method=\"GET /\",code=\"200\"", times, _ => 80)
            .Counter("demo_requests", "service=\"demo\",version=\"v2\",method=\"GET /\",code=\"500\"", times, _ => 10)
            .Counter("demo_requests", "service=\"demo\",version=\"v2\",method=\"Echo/Hello\",code=\"Unavailable\"", times, _ => 10)
            .Histogram("demo_request_duration_seconds", "service=\"demo\",version=\"v1\",method=\"GET /\"", bounds, times, 100, _ => 0.02)
            .Histogram("demo_request_duration_seconds", "service=\"demo\",version=\"v2\",method=\"GET /\"", bounds, times, 100, _ => 0.8);
        return (await PrometheusServer.StartAsync(metrics.ToString()), end);
    }

    private static async Task<JsonNode> QueryAsync(PrometheusServer prometheus, string query, DateTimeOffset at)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["query"] = query, ["time"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) });
        using var response = await http.PostAsync(new Uri(prometheus.Address, "api/v1/query"), form);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] args)
    {
        using var promtool = Process.Start(new ProcessStartInfo(Executables.Require("promtool", "prometheus"), args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = promtool.StandardOutput.ReadToEndAsync();
        var errors = promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        return (promtool.ExitCode, $"{await output}{await errors}");
    }
}
