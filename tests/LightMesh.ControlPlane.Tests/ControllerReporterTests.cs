using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Reports;
using LightMesh.Etcd.Watching;
using LightMesh.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.ControlPlane.Tests;

/// <summary>A control plane vouches for its proxies only while its own watch of etcd sees what it writes.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ControllerReporterTests(EtcdFixture etcd)
{
    [Fact]
    public async Task AWatchThatDoesNotSeeTheReport_WithdrawsIt_UntilTheWatchCatchesUp()
    {
        using var connection = etcd.Connect(etcd.NewPrefix());
        var log = new LogLines();
        using var logging = LoggerFactory.Create(l => l.AddProvider(log));
        var options = Options.Create(new XdsServerOptions { Name = "stalled", ReportTtl = TimeSpan.FromSeconds(1) });
        var registry = new ProxyRegistry(TimeProvider.System, options, logging.CreateLogger<ProxyRegistry>());
        var watcher = new PrefixWatcher(connection, TimeProvider.System, logging.CreateLogger<PrefixWatcher>());

        // The mesh source is not running: its watch has seen nothing of what the reporter writes.
        var source = new EtcdMeshSource(connection, watcher, logging.CreateLogger<EtcdMeshSource>());
        var reporter = new ControllerReporter(connection, registry, source, options, TimeProvider.System, logging.CreateLogger<ControllerReporter>());
        var key = connection.Keys.ControlPlane("stalled");
        using var stop = new CancellationTokenSource();
        var reporting = reporter.RunAsync(stop.Token);
        try
        {
            var written = await Poll.UntilAsync(() => connection.GetAsync(key, default), r => r.Kvs.Count == 1, TimeSpan.FromSeconds(10), "the first report");
            await Poll.UntilAsync(() => connection.GetAsync(key, default), r => r.Kvs.Count == 0, TimeSpan.FromSeconds(10), "the report to be withdrawn");
            // The report is withdrawn (its lease revoked) before the reporter logs why: wait for the line too.
            var withdrawn = await Poll.UntilAsync(
                () => Task.FromResult(log.Lines.SingleOrDefault(l => l.Contains("no longer vouches for its proxies", StringComparison.Ordinal))),
                line => line is not null,
                TimeSpan.FromSeconds(5),
                "the reason the report was withdrawn to be logged");
            Assert.Contains($"did not see revision {written.Kvs[0].ModRevision} within 00:00:01", withdrawn, StringComparison.Ordinal);
            Assert.True(await StaysAbsentAsync(connection, key, TimeSpan.FromSeconds(1.5)), "a report came back while the watch was still behind");

            // The watch runs and catches up: the report is back.
            var watching = source.RunAsync(stop.Token);
            var back = await Poll.UntilAsync(() => connection.GetAsync(key, default), r => r.Kvs.Count == 1, TimeSpan.FromSeconds(10), "the report to come back");
            Assert.Equal("stalled", ControllerReport.Read(back.Kvs[0].Value.ToStringUtf8())!.Name);
            Assert.Contains(log.Lines, l => l.Contains("caught up", StringComparison.Ordinal));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
        }
        finally
        {
            await stop.CancelAsync();
            await reporting;
        }

        Assert.Empty((await connection.GetAsync(key, default)).Kvs);
    }

    private static async Task<bool> StaysAbsentAsync(Etcd.EtcdConnection connection, string key, TimeSpan window)
    {
        var until = DateTime.UtcNow + window;
        while (DateTime.UtcNow < until)
        {
            if ((await connection.GetAsync(key, default)).Kvs.Count > 0)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }
}
