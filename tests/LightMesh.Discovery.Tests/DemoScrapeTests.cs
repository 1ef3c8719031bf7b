using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Processes;
using LightMesh.Core.Security;
using LightMesh.Host;
using LightMesh.Host.Security;
using LightMesh.Testing;
using LightMesh.Releases;

namespace LightMesh.Discovery.Tests;

/// <summary>
/// The whole discovery path with real parts: the demo service registers itself, the controller lists it for Prometheus
/// (HTTP service discovery), and a real Prometheus scrapes the demo's own metrics with its service, version and node.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class DemoScrapeTests(EtcdFixture etcd)
{
    [Fact]
    public async Task Prometheus_FindsTheSelfRegisteredDemoThroughTheController_AndScrapesItsMetrics()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        var token = TokenHash.NewToken();
        var api = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var options = new ControllerOptions
        {
            Listen = api.ToString().TrimEnd('/'),
            XdsListen = $"127.0.0.1:{LoopbackPort.Free()}",
            RunReleases = false,
            Engine = new ReleaseEngineOptions { Candidate = $"test-{Guid.NewGuid():N}" },
            Settings = new Dictionary<string, string?>
            {
                ["LightMesh:Auth:Tokens:0:Name"] = "prometheus",
                ["LightMesh:Auth:Tokens:0:Role"] = Roles.Viewer,
                ["LightMesh:Auth:Tokens:0:Sha256"] = TokenHash.HexOf(token),
            },
        };
        await using var controller = await ControllerServer.StartAsync(mesh.EtcdOptions, options, null, default);
        await using var demo = await DemoProcess.StartAsync(mesh, version: "v2");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (await http.GetAsync(new Uri($"{demo.Url}/")))
        {
            // One request, so the demo's request counter has a sample to scrape.
        }

        await using var prometheus = await PrometheusServer.StartScrapingAsync($"""
            - job_name: lightmesh
              scrape_interval: 1s
              http_sd_configs:
              - url: {new Uri(api, "api/v1/sd/prometheus")}
                refresh_interval: 1s
                authorization:
                  type: Bearer
                  credentials: "{token}"
            """);

        var query = new Uri(prometheus.Address, "api/v1/query?query=" + Uri.EscapeDataString("demo_requests_total{service=\"demo\",method=\"GET /\"}"));
        JsonElement result;
        try
        {
            result = await Poll.UntilAsync(
                async () => (await http.GetFromJsonAsync<JsonElement>(query)).GetProperty("data").GetProperty("result"),
                r => r.GetArrayLength() == 1,
                TimeSpan.FromSeconds(30),
                "Prometheus to find and scrape the demo service");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{prometheus.Log}\n{demo.Output}", e);
        }

        var labels = result[0].GetProperty("metric");
        Assert.Equal(("v2", "node-1", $"127.0.0.1:{demo.Port}", "200"), (labels.GetProperty("version").GetString(), labels.GetProperty("node").GetString(), labels.GetProperty("instance").GetString(), labels.GetProperty("code").GetString()));
        Assert.Equal("1", result[0].GetProperty("value")[1].GetString());
    }
}
