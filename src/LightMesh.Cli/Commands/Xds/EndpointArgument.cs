using System.Net;

namespace LightMesh.Cli.Commands.Xds;

/// <summary>Reads HOST:PORT options such as <c>--xds 127.0.0.1:18000</c>, and lists of them (<c>--xds a:18000,b:18000</c>).</summary>
public static class EndpointArgument
{
    /// <summary>Every HOST:PORT of a comma-separated list, or null when one of them is not HOST:PORT (or the list is empty).</summary>
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

    /// <summary>Reads a value already checked with <see cref="TryParse"/>.</summary>
    public static (string Host, int Port) Parse(string text) =>
        TryParse(text, out var host, out var port) ? (host, port) : throw new ArgumentException($"\"{text}\" is not HOST:PORT", nameof(text));

    public static bool TryParse(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = text[..colon].Trim('[', ']');
        return Uri.CheckHostName(host) != UriHostNameType.Unknown || IPAddress.TryParse(host, out _);
    }
}
