namespace LightMesh.Xds.Translation;

/// <summary>Names of generated resources, in one place: clusters <c>outbound|PORT|SUBSET|HOST</c>, routes by port.</summary>
public static class ClusterNames
{
    /// <summary>The cluster of one subset of a service, or of the whole service when <paramref name="subset"/> is empty.</summary>
    public static string Outbound(int port, string? subset, string host) => $"outbound|{port}|{subset}|{host}";

    /// <summary>Reads a name made by <see cref="Outbound"/>; false for any other name.</summary>
    public static bool TryParse(string name, out int port, out string subset, out string host)
    {
        var parts = name.Split('|');
        port = 0;
        subset = host = "";
        if (parts is not ["outbound", var p, var s, var h] || !int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out port))
        {
            return false;
        }

        subset = s;
        host = h;
        return true;
    }

    /// <summary>The RouteConfiguration holding the virtual hosts of every service on <paramref name="port"/>.</summary>
    public static string RouteForPort(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The RouteConfiguration of an Envoy sidecar's outbound proxy port: every service's virtual host.</summary>
    public const string SidecarRoute = "outbound";

    /// <summary>The outbound listener of an Envoy sidecar on the node <paramref name="node"/>.</summary>
    public static string SidecarListener(string node) => $"outbound|{node}";
}
