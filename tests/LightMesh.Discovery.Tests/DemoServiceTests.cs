using System.Diagnostics;
using Grpc.Core;
using LightMesh.Demo.Service.Protos;
using LightMesh.Testing;

namespace LightMesh.Discovery.Tests;

/// <summary>The demo service's answers, metrics and fault knobs, over both protocols on its one port.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class DemoServiceTests(EtcdFixture etcd)
{
    [Fact]
    public async Task DemoService_GrpcAndHttpOnOnePort_BothAnswerWithVersionAndCount()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, version: "v3");
        var (channel, client) = demo.Connect();
        using var http = new HttpClient();

        var reply = await client.HelloAsync(new HelloRequest { Name = "test" });
        using var response = await http.GetAsync(new Uri($"{demo.Url}/"));
        var metrics = await http.GetStringAsync(new Uri($"{demo.Url}/metrics"));
        channel.Dispose();

        Assert.Equal(("demo", "v3", demo.Id), (reply.Service, reply.Version, reply.Instance));
        Assert.Equal("demo v3\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(demo.Id, response.Headers.GetValues("x-lightmesh-instance").Single());
        Assert.Equal(1, Sample(metrics, """demo_requests_total{method="Echo/Hello",code="OK",version="v3"}"""));
        Assert.Equal(1, Sample(metrics, """demo_requests_total{method="GET /",code="200",version="v3"}"""));
        Assert.Equal(1, Sample(metrics, """demo_request_duration_seconds_count{method="Echo/Hello",version="v3"}"""));
    }

    [Fact]
    public async Task DemoService_ErrorRateOne_EveryCallFailsAndIsCountedAsAnError()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, version: "v2", environment: new Dictionary<string, string> { ["ERROR_RATE"] = "1" });
        var (channel, client) = demo.Connect();
        using var http = new HttpClient();

        for (var i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () => await client.HelloAsync(new HelloRequest()));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.Equal("v2", error.Trailers.GetValue("lightmesh-version"));
            using var response = await http.GetAsync(new Uri($"{demo.Url}/"));
            Assert.Equal(500, (int)response.StatusCode);
        }

        channel.Dispose();
        var metrics = await http.GetStringAsync(new Uri($"{demo.Url}/metrics"));
        Assert.Equal(5, Sample(metrics, """demo_requests_total{method="Echo/Hello",code="Unavailable",version="v2"}"""));
        Assert.Equal(5, Sample(metrics, """demo_requests_total{method="GET /",code="500",version="v2"}"""));
    }

    [Fact]
    public async Task DemoService_ExtraLatency_SlowsEveryAnswer()
    {
        using var mesh = await Mesh.CreateAsync(etcd);
        await using var demo = await DemoProcess.StartAsync(mesh, environment: new Dictionary<string, string> { ["EXTRA_LATENCY_MS"] = "300" });
        var (channel, client) = demo.Connect();
        await client.HelloAsync(new HelloRequest()); // connected

        var call = Stopwatch.StartNew();
        await client.HelloAsync(new HelloRequest());
        channel.Dispose();

        // The runtime's timers count whole milliseconds, so the service's 300 ms wait can end up to a millisecond early
        // by this stopwatch (299.1 ms once failed CI); anything under the wait itself would still show it missing.
        Assert.InRange(call.Elapsed, TimeSpan.FromMilliseconds(298), TimeSpan.FromSeconds(5));
    }

    /// <summary>The value of one sample in Prometheus' text format, 0 when it is absent.</summary>
    private static double Sample(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
