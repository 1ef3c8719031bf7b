using LightMesh.ControlPlane.Ads;

namespace LightMesh.ControlPlane.Reports;

/// <summary>
/// Whether every proxy of the mesh that uses a service has ACKed a revision, from the controllers' reports: pure, so
/// that the rule is read (and tested) in one place.
/// </summary>
public static class MeshConvergence
{
    /// <summary>
    /// Converged when every proxy on a reporting
    /// controller that uses <paramref name="service"/> has ACKed it, and no proxy of a controller that stopped reporting
    /// is left that may still hold something older: one that had not ACKed it, unless it has since shown up on a
    /// reporting controller (by node id), which then answers for it. A controller with too many proxies to list
    /// (<see cref="ControllerReport.Overflowed"/>) vouches for none. When any proxy uses the service, this controller must
    /// also have published <paramref name="revision"/> or later, so that one connecting now is sent the write; when none
    /// does, nothing waits for the snapshot.
    /// </summary>
    /// <param name="published">The revision of the snapshot this controller publishes.</param>
    /// <param name="reporting">Every controller's latest report, this one's included.</param>
    /// <param name="gone">The last report of each controller whose report is gone, not yet forgotten.</param>
    public static ConvergenceResult Evaluate(long revision, string service, long published, IReadOnlyList<ControllerReport> reporting, IReadOnlyList<ControllerReport> gone)
    {
        var users = reporting.SelectMany(r => r.Proxies.Where(p => p.Uses(service)).Select(p => (r.Name, Proxy: p))).ToList();
        var unknown = Unknown(reporting, gone).Where(u => u.Proxy.Uses(service)).ToList();
        var lagging = users.Where(u => u.Proxy.ConvergedRevision < revision)
            .Select(u => new LaggingProxy(u.Proxy.NodeId, u.Proxy.StreamId, u.Proxy.ConvergedRevision, u.Name))
            .Concat(reporting.Where(r => r.Overflowed > 0)
                .Select(r => new LaggingProxy($"{r.Overflowed} proxies (too many to report)", "", 0, r.Name, Unknown: true)))
            .Concat(unknown.Where(u => u.Proxy.ConvergedRevision < revision)
                .Select(u => new LaggingProxy(u.Proxy.NodeId, u.Proxy.StreamId, u.Proxy.ConvergedRevision, u.Controller, Unknown: true)))
            .ToList();
        var proxies = users.Count + unknown.Count;
        return new ConvergenceResult((published >= revision || proxies == 0) && lagging.Count == 0, revision, proxies, lagging, published);
    }

    /// <summary>
    /// The proxies of the controllers whose report is gone that have not shown up on a reporting controller (by node id):
    /// what each holds now is not known.
    /// </summary>
    public static IEnumerable<(string Controller, ReportedProxy Proxy)> Unknown(IReadOnlyList<ControllerReport> reporting, IReadOnlyList<ControllerReport> gone)
    {
        var reportingNames = reporting.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var reportedNodes = reporting.SelectMany(r => r.Proxies).Select(p => p.NodeId).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        return gone.Where(r => !reportingNames.Contains(r.Name))
            .SelectMany(r => r.Proxies.Where(p => !(p.NodeId.Length > 0 && reportedNodes.Contains(p.NodeId))).Select(p => (r.Name, p)));
    }
}
