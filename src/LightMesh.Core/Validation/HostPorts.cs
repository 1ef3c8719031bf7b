using System.Globalization;
using System.Net;

namespace LightMesh.Core.Validation;

/// <summary>
/// <c>HOST:PORT</c> and comma-separated lists of them, as <c>--xds</c> and <c>--sidecar-xds</c> take the controllers'
/// xDS endpoints: a host name or IP address (IPv6 in brackets), and a port from 1 to 65535.
/// </summary>
public static class HostPorts
{
    public static bool TryParse(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = text[..colon].Trim('[', ']');
        return Uri.CheckHostName(host) != UriHostNameType.Unknown || IPAddress.TryParse(host, out _);
    }

    /// <summary>Every HOST:PORT of a comma-separated list, or null when one of them is not HOST:PORT (or there is none).</summary>
    public static IReadOnlyList<(string Host, int Port)>? ParseList(string text)
    {
        var endpoints = new List<(string, int)>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryParse(item, out var host, out var port))
            {
                return null;
            }

            endpoints.Add((host, port));
        }

        return endpoints;
    }
}
