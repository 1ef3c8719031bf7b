using System.Text.RegularExpressions;
using Grpc.Core;
using LightMesh.Demo.Service.Protos;
using LightMesh.Testing;

namespace LightMesh.Discovery.Tests;

/// <summary>
/// The dashboards and Prometheus rules chart the demo service by metric names it really exports, and what they count
/// as an error covers every way it fails, over gRPC and HTTP.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed partial class DemoDashboardTests(EtcdFixture etcd)
{
    [GeneratedRegex(@"\bdemo_[a-z_]+", RegexOptions.CultureInvariant)]
    private static partial Regex DemoMetric();

    [GeneratedRegex("""demo_requests_total\{[^}]*code=~"([^"]+)"[^}]*\}""", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorCodes();

    [GeneratedRegex("""^demo_requests_total\{.*code="([^"]+)".*\} """, RegexOptions.CultureInvariant)]
    private static partial Regex ExportedCode();

    [Fact]
    public async Task DashboardsAndRules_DemoFailingEveryCall_ChartItsMetricsAndCountEveryFailureAsAnError()
    {
        var queries = MonitoringQueries.All();
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, version: "v2", environment: new Dictionary<string, string> { ["ERROR_RATE"] = "1" });
        var (channel, client) = demo.Connect();
        using var http = new HttpClient();

        await Assert.ThrowsAsync<RpcException>(async () => await client.HelloAsync(new HelloRequest()));
        using (await http.GetAsync(new Uri($"{demo.Url}/")))
        {
            // A 500, by ERROR_RATE.
        }

        channel.Dispose();
        var exported = await http.GetStringAsync(new Uri($"{demo.Url}/metrics"));

        var names = queries.SelectMany(q => DemoMetric().Matches(q.Expression).Select(m => m.Value)).Distinct().ToList();
        Assert.Contains("demo_requests_total", names);
        Assert.Contains("demo_request_duration_seconds_bucket", names);
        foreach (var name in names)
        {
            Assert.True(exported.Contains($"\n{name}{{", StringComparison.Ordinal), $"{name} is charted but the demo does not export it");
        }

        var failures = exported.Split('\n').Select(l => ExportedCode().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(["500", "Unavailable"], failures.Order(StringComparer.Ordinal));
        var errorMatchers = queries.SelectMany(q => ErrorCodes().Matches(q.Expression).Select(m => (q.Where, Regex: m.Groups[1].Value))).ToList();
        Assert.NotEmpty(errorMatchers);
        foreach (var (where, regex) in errorMatchers)
        {
            // PromQL anchors a label regex at both ends.
            Assert.All(failures, code => Assert.True(Regex.IsMatch(code, $"^(?:{regex})$", RegexOptions.CultureInvariant), $"{where} does not count code {code} as an error"));
        }
    }
}
