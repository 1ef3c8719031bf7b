namespace LightMesh.Xds.Translation;

/// <summary>The xDS resource types we serve, in the order a push sends them (make before break).</summary>
public static class TypeUrls
{
    public const string Prefix = "type.googleapis.com/";
    public const string Cluster = Prefix + "envoy.config.cluster.v3.Cluster";
    public const string Endpoint = Prefix + "envoy.config.endpoint.v3.ClusterLoadAssignment";
    public const string Listener = Prefix + "envoy.config.listener.v3.Listener";
    public const string Route = Prefix + "envoy.config.route.v3.RouteConfiguration";

    /// <summary>Clusters and their endpoints first, then listeners, then the routes that point at them.</summary>
    public static readonly IReadOnlyList<string> PushOrder = [Cluster, Endpoint, Listener, Route];

    /// <summary>LDS and CDS answers always hold every subscribed resource: a missing one means deleted.</summary>
    public static bool IsStateOfTheWorldComplete(string typeUrl) => typeUrl is Listener or Cluster;

    /// <summary>A short name for logs, metrics and status: cds, eds, lds, rds.</summary>
    public static string ShortName(string typeUrl) => typeUrl switch
    {
        Cluster => "cds",
        Endpoint => "eds",
        Listener => "lds",
        Route => "rds",
        _ => typeUrl,
    };
}
