using System.Globalization;

namespace LightMesh.Host.OperatorConsole;

/// <summary>Links into the Grafana dashboards of <c>dashboards/</c>, on the Grafana the controller is configured with.</summary>
public static class GrafanaLink
{
    /// <summary>The uid of <c>dashboards/releases.json</c>.</summary>
    public const string ReleasesDashboard = "lightmesh-releases";

    /// <summary>A minute either side of a release, so its first and last scrapes show.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The releases dashboard for <paramref name="service"/> from a minute before <paramref name="started"/> to a minute
    /// after <paramref name="ended"/>, or to now (following) while the release runs.
    /// </summary>
    public static string ToRelease(string grafana, string service, DateTimeOffset started, DateTimeOffset? ended)
    {
        var from = (started - Margin).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var to = ended is { } end ? (end + Margin).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "now";
        return $"{grafana.TrimEnd('/')}/d/{ReleasesDashboard}/?var-service={Uri.EscapeDataString(service)}&from={from}&to={to}";
    }
}
