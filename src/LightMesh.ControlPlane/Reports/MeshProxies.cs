using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Mesh;
using LightMesh.Etcd;
using LightMesh.Etcd.Watching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.ControlPlane.Reports;

/// <summary>
/// Every proxy of the mesh, on whichever controller it is connected to: this controller's own, read live from its
/// <see cref="ProxyRegistry"/>, and the others' from their reports in etcd (<c>controlplanes/</c>, watched). A release
/// step waits here until every proxy that uses its service has ACKed its write.
/// </summary>
/// <remarks>
/// When a controller's report goes (its lease lapsed: it died, froze, or lost etcd), its proxies are kept as unknown for
/// <see cref="GoneKept"/>, each until it shows up on another controller: a wait counts them as behind unless they had
/// already ACKed what it waits for, so a controller that cannot vouch for its proxies holds steps up rather than being
/// trusted or skipped.
/// </remarks>
public sealed class MeshProxies(
    EtcdConnection etcd, PrefixWatcher watcher, ProxyRegistry registry, EtcdMeshSource source, IOptions<XdsServerOptions> options, TimeProvider time, ILogger<MeshProxies> logger)
{
    /// <summary>How long the proxies of a controller whose report is gone are kept as unknown.</summary>
    public static readonly TimeSpan GoneKept = TimeSpan.FromMinutes(2);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ControllerReport> _reporting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ControllerReport Report, long GoneAt)> _gone = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _read;

    private string Name => options.Value.Name;

    /// <summary>Reads every controller's report, then follows their changes until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var prefix = etcd.Keys.ControlPlanes;
        var initial = await etcd.RangePrefixAsync(prefix, 0, cancellationToken);
        Replace([.. initial.Kvs.Select(KeyChange.Of)]);
        await foreach (var update in watcher.WatchAsync(prefix, initial.Header.Revision + 1, cancellationToken, token => etcd.RangePrefixAsync(prefix, 0, token)))
        {
            switch (update)
            {
                case WatchResync resync:
                    Replace(resync.State);
                    break;
                case WatchChanges changes:
                    Apply(changes.Changes);
                    break;
            }
        }
    }

    /// <summary>
    /// Waits until every proxy of the mesh that uses <paramref name="service"/> has ACKed resources built from
    /// <paramref name="revision"/> or later, and, when there is any, this controller has published a snapshot from it
    /// (<see cref="MeshConvergence"/>): a service that no proxy uses is converged at once. On timeout, says which lag
    /// and where.
    /// </summary>
    public async Task<ConvergenceResult> WaitForConvergenceAsync(long revision, string service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        while (true)
        {
            var changes = Task.WhenAny(registry.Changed, Volatile.Read(ref _changed).Task);
            var result = Evaluate(revision, service);
            if (result.Converged)
            {
                return result;
            }

            try
            {
                await changes.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return Evaluate(revision, service);
            }
        }
    }

    /// <summary>Every controller and every proxy of the mesh, as of now.</summary>
    public MeshStatus Status()
    {
        var snapshot = registry.Current;
        var local = registry.Status();
        var (reporting, gone) = Reports(new ControllerReport(Name, options.Value.Listen, source.Revision, snapshot.Revision, time.GetUtcNow(), [.. local.Select(ReportedProxy.From)]));
        var others = reporting.Where(r => r.Name != Name).ToList();
        List<ControllerStatus> controllers =
        [
            new(Name, options.Value.Listen, ControllerState.This, source.Revision, snapshot.Revision, time.GetUtcNow(), local.Count),
            .. others.Select(r => new ControllerStatus(r.Name, r.Xds, ControllerState.Reporting, r.WatchRevision, r.SnapshotRevision, r.ReportedAt, r.Proxies.Count)),
            .. gone.Select(r => new ControllerStatus(r.Name, r.Xds, ControllerState.Gone, r.WatchRevision, r.SnapshotRevision, r.ReportedAt, r.Proxies.Count)),
        ];
        List<MeshProxy> proxies =
        [
            .. local.Select(p => new MeshProxy(Name, p.NodeId, p.StreamId, p.UserAgent, p.ConvergedRevision, p.Services, p.AllServices, p.Node, ReportedNack.Of(p.Types), Unknown: false)),
            .. others.SelectMany(r => r.Proxies.Select(p => Row(r.Name, p, unknown: false))),
            .. MeshConvergence.Unknown(reporting, gone).Select(u => Row(u.Controller, u.Proxy, unknown: true)),
        ];
        return new MeshStatus(snapshot.Revision, snapshot.Problems, controllers, proxies);
    }

    private static MeshProxy Row(string controller, ReportedProxy p, bool unknown) =>
        new(controller, p.NodeId, p.StreamId, p.UserAgent, p.ConvergedRevision, p.Services, p.AllServices, p.Node, p.Nacks ?? [], unknown);

    private ConvergenceResult Evaluate(long revision, string service)
    {
        // This controller's own proxies as the rule needs them: only those that use the service, read live.
        var local = new ControllerReport(Name, options.Value.Listen, source.Revision, registry.Current.Revision, time.GetUtcNow(), registry.UsersOf(service));
        var (reporting, gone) = Reports(local);
        var result = MeshConvergence.Evaluate(revision, service, registry.Current.Revision, reporting, gone) with { NotBuilt = registry.Failure };
        return Volatile.Read(ref _read) ? result : result with { Converged = false, ReportsRead = false };
    }

    /// <summary>This controller's report (<paramref name="local"/>), the others' current ones, and those gone but not yet forgotten.</summary>
    private (IReadOnlyList<ControllerReport> Reporting, IReadOnlyList<ControllerReport> Gone) Reports(ControllerReport local)
    {
        lock (_lock)
        {
            ForgetLocked();
            // This controller's own report is never among them (IsOthers): its proxies are the live ones in local.
            return ([local, .. _reporting.Values], [.. _gone.Values.Select(g => g.Report)]);
        }
    }

    private void Replace(IReadOnlyList<KeyChange> state)
    {
        var reports = state.Where(IsOthers).Select(Read).OfType<ControllerReport>().ToDictionary(r => r.Name, StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var vanished in _reporting.Keys.Where(name => !reports.ContainsKey(name)).ToList())
            {
                GoneLocked(vanished);
            }

            foreach (var report in reports.Values)
            {
                _gone.Remove(report.Name);
                _reporting[report.Name] = report;
            }

            Volatile.Write(ref _read, true);
        }

        Signal();
    }

    private void Apply(IReadOnlyList<KeyChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes.Where(IsOthers))
            {
                var name = change.Key[etcd.Keys.ControlPlanes.Length..];
                if (change.IsDelete)
                {
                    GoneLocked(name);
                }
                else if (Read(change) is { } report)
                {
                    _gone.Remove(report.Name);
                    _reporting[report.Name] = report;
                }
            }
        }

        Signal();
    }

    /// <summary>Drops the proxies of controllers gone longer than <see cref="GoneKept"/>.</summary>
    private void ForgetLocked()
    {
        foreach (var forgotten in _gone.Where(g => time.GetElapsedTime(g.Value.GoneAt) > GoneKept).Select(g => g.Key).ToList())
        {
            _gone.Remove(forgotten);
        }
    }

    private void GoneLocked(string name)
    {
        ForgetLocked();
        if (_reporting.Remove(name, out var last))
        {
            _gone[name] = (last, time.GetTimestamp());
            Telemetry.Log.ControllerGone(logger, name, last.Proxies.Count);
        }
    }

    /// <summary>
    /// False for this controller's own report, which is never read back: its proxies are taken live from the registry
    /// (at 5000 proxies, parsing its own report after each write took 8% of the control plane).
    /// </summary>
    private bool IsOthers(KeyChange change) => change.Key != etcd.Keys.ControlPlane(Name);

    private ControllerReport? Read(KeyChange change)
    {
        var report = ControllerReport.Read(change.Bytes.Span);
        if (report is null || change.Key != etcd.Keys.ControlPlane(report.Name))
        {
            Telemetry.Log.StoredValueSkipped(logger, change.Key, "not a controller's report of its proxies");
            return null;
        }

        return report;
    }

    private void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
