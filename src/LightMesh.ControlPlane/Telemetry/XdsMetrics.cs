using LightMesh.Xds.Translation;
using Prometheus;

namespace LightMesh.ControlPlane.Telemetry;

/// <summary>The control plane's Prometheus metrics.</summary>
internal static class XdsMetrics
{
    /// <summary>The label of a resource type a client names that the control plane does not serve, so a client cannot add series.</summary>
    public const string OtherType = "other";

    /// <summary>Published at 0 for every type served from the start, so that the first pushes are an increase Prometheus sees.</summary>
    public static readonly Counter Pushes = PublishedForEveryType(Metrics.CreateCounter(
        "lightmesh_xds_pushes_total", "xDS responses sent to proxies, by resource type.", "type"));

    /// <summary>Published at 0 for every type (and <see cref="OtherType"/>) from the start, so that a first NACK is an increase Prometheus sees.</summary>
    public static readonly Counter Nacks = PublishedForEveryType(Metrics.CreateCounter(
        "lightmesh_xds_nacks_total", "xDS responses rejected by proxies, by resource type.", "type"), OtherType);

    public static readonly Histogram PushDuration = Metrics.CreateHistogram(
        "lightmesh_xds_push_duration_seconds", "Time to translate a snapshot and hand it to every connected proxy.",
        new HistogramConfiguration { Buckets = [.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5] });

    public static readonly Histogram Convergence = Metrics.CreateHistogram(
        "lightmesh_xds_convergence_seconds", "Time from a snapshot's publication until a proxy has ACKed everything built from it.",
        new HistogramConfiguration { Buckets = [.1, .5, 1, 3, 5, 10, 20, 30] });

    public static readonly Gauge ConnectedProxies = Metrics.CreateGauge(
        "lightmesh_xds_connected_proxies", "Proxies with an open ADS stream.");

    public static readonly Gauge WithheldRoutes = Metrics.CreateGauge(
        "lightmesh_xds_withheld_routes", "Services whose latest routes were not sent because they would black-hole traffic.");

    public static readonly Gauge SnapshotRevision = Metrics.CreateGauge(
        "lightmesh_xds_snapshot_revision", "The etcd revision of the latest published snapshot.");

    public static readonly Counter TranslationFailures = Metrics.CreateCounter(
        "lightmesh_xds_translation_failures_total", "Snapshots that could not be built from what etcd holds; the proxies kept the last one.");

    public static readonly Counter RefusedStreams = Metrics.CreateCounter(
        "lightmesh_xds_refused_streams_total", "ADS streams ended by the control plane, by reason.", "reason");

    /// <summary>The <c>type</c> label of <paramref name="typeUrl"/>: its short name if the control plane serves that type, else <see cref="OtherType"/>.</summary>
    public static string TypeLabel(string typeUrl) => TypeUrls.PushOrder.Contains(typeUrl) ? TypeUrls.ShortName(typeUrl) : OtherType;

    /// <summary>Creates the counter's series for every type served, and for <paramref name="others"/>.</summary>
    private static Counter PublishedForEveryType(Counter counter, params string[] others)
    {
        foreach (var type in TypeUrls.PushOrder.Select(TypeUrls.ShortName).Concat(others))
        {
            counter.WithLabels(type);
        }

        return counter;
    }
}
