using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Core.Mesh;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;

namespace LightMesh.Host.Tests.Api;

/// <summary>A real Prometheus finds its targets through the controller's HTTP service discovery and scrapes them.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class PrometheusDiscoveryTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    [Fact]
    public async Task HttpServiceDiscovery_ARegisteredInstanceIsScrapedWithItsServiceVersionAndNode()
    {
        // The controller's own /metrics stands in for a service: registered as an instance, it is a real target.
        await H.ApplyAsync(TestMeshes.Service("ctl"));
        var registry = new InstanceRegistry(H.Etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        var instance = new Instance { Service = "ctl", Id = "ctl-1", Version = "v7", Address = "127.0.0.1", Port = H.Api.Port, Node = "node-a", Labels = new Dictionary<string, string> { ["version"] = "v7" } };
        await using var registration = (await registry.RegisterAsync(instance, TimeSpan.FromSeconds(10), default)).Registration!;

        await using var prometheus = await PrometheusServer.StartScrapingAsync($"""
            - job_name: lightmesh
              http_sd_configs:
              - url: {new Uri(H.Api, "api/v1/sd/prometheus")}
                refresh_interval: 1s
                authorization:
                  type: Bearer
                  credentials: "{ControllerHarness.Token}"
            """);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var sd = new HttpRequestMessage(HttpMethod.Get, new Uri(H.Api, "api/v1/sd/prometheus"));
        sd.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ControllerHarness.Token);
        using var groups = await http.SendAsync(sd);
        var listed = await groups.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(listed.GetArrayLength() == 1, listed.ToString());
        var query = new Uri(prometheus.Address, "api/v1/query?query=" + Uri.EscapeDataString("up{service=\"ctl\"}"));
        JsonElement result;
        try
        {
            result = await Poll.UntilAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>(query)).GetProperty("data").GetProperty("result"),
            r => r.GetArrayLength() == 1 && r[0].GetProperty("value")[1].GetString() == "1",
            TimeSpan.FromSeconds(30),
            "Prometheus to find and scrape the instance");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{prometheus.Log}", e);
        }

        var labels = result[0].GetProperty("metric");
        Assert.Equal(("v7", "node-a", $"127.0.0.1:{H.Api.Port}"), (labels.GetProperty("version").GetString(), labels.GetProperty("node").GetString(), labels.GetProperty("instance").GetString()));
    }
}
