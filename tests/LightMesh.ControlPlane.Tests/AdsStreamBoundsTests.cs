using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using LightMesh.ControlPlane.Ads;
using LightMesh.Testing;
using LightMesh.Xds.Translation;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.ControlPlane.Tests;

/// <summary>
/// What one ADS client can cost the controller: the requests it may have waiting, and the metric series it may add.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class AdsStreamBoundsTests(EtcdFixture etcd)
{
    [Fact]
    public async Task AClientThatSendsWithoutEnd_IsReadOnlyAsFastAsItsAnswersGo()
    {
        var registry = new ProxyRegistry(TimeProvider.System, NullLogger<ProxyRegistry>.Instance);
        registry.Publish(XdsSnapshot.Empty);
        var flood = new EndlessRequests();
        using var stop = new CancellationTokenSource();

        // The client never reads its answers: the first write never ends, and the stream's loop waits on it.
        var serving = registry.ServeAsync(flood, new NeverWritten(), stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var read = flood.Read;
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        // Requests past the inbox are left unread in the stream (HTTP/2 flow control holds the client back).
        Assert.InRange(read, 1, ProxyRegistry.InboxCapacity + 2);
        Assert.Equal(read, flood.Read);
        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NacksOfTypesTheControlPlaneDoesNotServe_CountUnderOther()
    {
        await using var harness = await ControlPlaneHarness.StartAsync(etcd);
        await using var client = new AdsTestClient(harness.XdsPort, "nacker");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = new Uri($"http://{harness.Server.Options.Admin}/metrics");
        var before = OtherNacks(await http.GetStringAsync(metrics));

        for (var i = 0; i < 5; i++)
        {
            await client.SendRawAsync(new DiscoveryRequest
            {
                Node = new Node { Id = "nacker" },
                TypeUrl = $"type.googleapis.com/made.up.Type{Guid.NewGuid():N}",
                ErrorDetail = new Google.Rpc.Status { Code = 3, Message = "no" },
            });
        }

        var text = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline && OtherNacks(text) < before + 5; await Task.Delay(100))
        {
            text = await http.GetStringAsync(metrics);
        }

        Assert.Equal(before + 5, OtherNacks(text));
        Assert.DoesNotContain("made.up.Type", text, StringComparison.Ordinal);
    }

    private static double OtherNacks(string metrics) =>
        metrics.Split('\n').Where(l => l.StartsWith("lightmesh_xds_nacks_total{type=\"other\"}", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();

    /// <summary>
    /// A client's request stream that has another request ready, up to a bound (so an unbounded reader ends, and fails
    /// the test rather than hanging it), counting how many were read.
    /// </summary>
    private sealed class EndlessRequests : IAsyncStreamReader<DiscoveryRequest>
    {
        private const int Bound = 10_000;
        private int _read;

        public int Read => Volatile.Read(ref _read);

        public DiscoveryRequest Current { get; private set; } = new();

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Read >= Bound)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            Interlocked.Increment(ref _read);
            Current = new DiscoveryRequest { Node = new Node { Id = "flood" }, TypeUrl = TypeUrls.Listener, ResourceNames = { "*" } };
            return true;
        }
    }

    /// <summary>A response stream whose client never reads: a write never completes until the stream ends.</summary>
    private sealed class NeverWritten : IServerStreamWriter<DiscoveryResponse>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(DiscoveryResponse message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(DiscoveryResponse message, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
