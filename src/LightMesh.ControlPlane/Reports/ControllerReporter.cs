using System.Buffers;
using Grpc.Core;
using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Mesh;
using LightMesh.Core;
using LightMesh.Etcd;
using LightMesh.Etcd.Leases;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.ControlPlane.Reports;

/// <summary>
/// Keeps this controller's report of its proxies (<see cref="ControllerReport"/>) in etcd under a lease of its own: written
/// when a proxy connects, ACKs, NACKs or leaves (a burst is one write: once the proxies are quiet for <see cref="Quiet"/>,
/// at most <see cref="MaximumDelay"/> after the first change) and at least every third of the lease's TTL. Revoked when the controller stops, and lapsing by itself when it dies or freezes.
/// </summary>
/// <remarks>
/// A controller vouches for its proxies only while its own watch of etcd keeps up: each write must come back through
/// the watch within the TTL. When it does not, the report is revoked (the leader then counts this controller's proxies as
/// unknown) until the watch has caught up.
/// </remarks>
public sealed class ControllerReporter(
    EtcdConnection etcd, ProxyRegistry registry, EtcdMeshSource source, IOptions<XdsServerOptions> options, TimeProvider time, ILogger<ControllerReporter> logger)
{
    /// <summary>A change is written once no other has come for this long: a burst of ACKs is one write.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(20);

    /// <summary>...but no later than this after the first change, however busy the proxies are.</summary>
    public static readonly TimeSpan MaximumDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A report whose JSON is larger than this is written compressed; one still larger compressed is not written, and one
    /// that says it could not list the proxies is written instead.
    /// </summary>
    public const int MaxReportBytes = 1024 * 1024;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CatchUpPoll = TimeSpan.FromMilliseconds(100);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var behind = await ReportUnderOneLeaseAsync(stoppingToken);
                if (behind > 0)
                {
                    Telemetry.Log.WatchBehind(logger, options.Value.Name, behind, source.Revision, options.Value.ReportTtl);
                    while (source.Revision < behind)
                    {
                        await Task.Delay(CatchUpPoll, time, stoppingToken);
                    }

                    Telemetry.Log.WatchCaughtUp(logger, options.Value.Name, source.Revision);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is LightMeshException or RpcException or OperationCanceledException)
            {
                Telemetry.Log.ReportFailed(logger, options.Value.Name, RetryDelay, e);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Writes the report under one lease until the lease is lost (an exception) or the watch falls behind (returns the
    /// revision it did not see in time; the lease is revoked on the way out).
    /// </summary>
    private async Task<long> ReportUnderOneLeaseAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var key = etcd.Keys.ControlPlane(settings.Name);
        var heartbeat = settings.ReportTtl / 3;
        await using var lease = await KeptLease.GrantAsync(etcd, settings.ReportTtl, time, stoppingToken);
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
        var modRevision = (await etcd.GetAsync(key, running.Token)).Kvs.FirstOrDefault()?.ModRevision ?? 0;
        ControllerReport? written = null;
        // At thousands of proxies a report is hundreds of KiB, written again after every push: one buffer for all of them.
        var json = new ArrayBufferWriter<byte>();
        using var compressed = new MemoryStream();
        var writtenAt = 0L;
        var unseen = 0L;
        var unseenSince = 0L;
        while (true)
        {
            var changed = registry.Changed;
            var report = registry.Report(settings.Name, settings.Listen, source.Revision);
            var due = written is null || time.GetElapsedTime(writtenAt) >= heartbeat;
            if (!report.SaysTheSameAs(written) && !due)
            {
                // A burst of connects and ACKs is one write: it is read once the proxies are quiet, or at the latest
                // MaximumDelay after this first change.
                var first = time.GetTimestamp();
                while (MaximumDelay - time.GetElapsedTime(first) is var left && left > TimeSpan.Zero
                       && await ChangesWithinAsync(changed, left < Quiet ? left : Quiet, running.Token))
                {
                    changed = registry.Changed;
                }

                report = registry.Report(settings.Name, settings.Listen, source.Revision);
            }

            if (!report.SaysTheSameAs(written) || due)
            {
                json.ResetWrittenCount();
                report.WriteJson(json);
                var value = json.WrittenMemory;
                if (value.Length > MaxReportBytes)
                {
                    value = ControllerReport.Compress(json.WrittenSpan, compressed);
                }

                if (value.Length > MaxReportBytes)
                {
                    json.ResetWrittenCount();
                    (report with { Proxies = [], Overflowed = report.Proxies.Count }).WriteJson(json);
                    value = json.WrittenMemory;
                }

                var (succeeded, revision) = await new GuardedTxn().AsRead(key, modRevision).Put(key, value, lease.Id).CommitAsync(etcd, running.Token);
                if (!succeeded)
                {
                    // Another process wrote it: a controller of the same name, or this one's earlier life. The last word is ours.
                    var current = (await etcd.GetAsync(key, running.Token)).Kvs.FirstOrDefault();
                    if (current is not null && current.Lease != lease.Id)
                    {
                        Telemetry.Log.ReportOverwritten(logger, key, current.Lease);
                    }

                    modRevision = current?.ModRevision ?? 0;
                    continue;
                }

                (modRevision, written, writtenAt) = (revision, report, time.GetTimestamp());
                if (unseen == 0)
                {
                    (unseen, unseenSince) = (revision, writtenAt);
                }
            }

            // Every write comes back through this controller's own watch; one that does not within the TTL means the
            // watch is behind, and what this controller serves is not to be vouched for.
            if (unseen > 0 && source.Revision >= unseen)
            {
                unseen = 0;
            }
            else if (unseen > 0 && time.GetElapsedTime(unseenSince) > settings.ReportTtl)
            {
                return unseen;
            }

            var wake = heartbeat - time.GetElapsedTime(writtenAt);
            if (unseen > 0)
            {
                var check = settings.ReportTtl - time.GetElapsedTime(unseenSince) + Quiet;
                wake = check < wake ? check : wake;
            }

            await ChangesWithinAsync(changed, wake > TimeSpan.Zero ? wake : TimeSpan.Zero, running.Token);
        }
    }

    /// <summary>Waits for <paramref name="changed"/> at most <paramref name="within"/>; true when it came.</summary>
    private async Task<bool> ChangesWithinAsync(Task changed, TimeSpan within, CancellationToken cancellationToken)
    {
        using var woken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = await Task.WhenAny(changed, Task.Delay(within, time, woken.Token)).WaitAsync(cancellationToken);
        await woken.CancelAsync();
        return first == changed;
    }
}
