using System.Globalization;
using System.Net;

namespace LightMesh.Host.Configuration;

/// <summary>How the text of a server setting is read, the same whether it came from a flag, the environment or a file.</summary>
internal static class SettingParsers
{
    /// <summary>Where the HTTP API listens: <c>http://IP:PORT</c>, nothing after the port.</summary>
    public static string? HttpEndpoint(string text, out string value)
    {
        value = text;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && IPAddress.TryParse(uri.Host, out _)
            && uri.PathAndQuery == "/" && uri.Fragment.Length == 0
            ? null
            : "must be http://IP:PORT";
    }

    /// <summary>An http:// or https:// URL, kept as written (a Grafana the console links to).</summary>
    public static string? HttpUrlText(string text, out string value)
    {
        value = text;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.Fragment.Length == 0
            ? null
            : "must be an http:// or https:// URL without ?query or #fragment";
    }

    public static string? IpEndpoint(string text, out string value)
    {
        value = text;
        return IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 ? null : "must be IP:PORT";
    }

    /// <summary>HOST:PORT, or several comma-separated (the controllers' xDS endpoints).</summary>
    public static string? HostPortList(string text, out string value)
    {
        value = text;
        return Core.Validation.HostPorts.ParseList(text) is null ? "must be HOST:PORT, or several comma-separated" : null;
    }

    public static string? HttpUrl(string text, out Uri value)
    {
        value = null!;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            value = uri;
            return null;
        }

        return "must be an http:// or https:// URL";
    }

    public static string? Name(string text, out string value)
    {
        value = text;
        return string.IsNullOrWhiteSpace(text) || text.Any(char.IsControl) ? "must be a name: printable, not empty" : null;
    }

    /// <summary>A controller's name: also part of an etcd key (<c>controlplanes/{name}</c>), so without '/'.</summary>
    public static string? ControllerName(string text, out string value) =>
        Name(text, out value) is null && !text.Contains('/', StringComparison.Ordinal) ? null : "must be a name: printable, not empty, without '/'";

    /// <summary>Comma-separated http(s) URLs, as etcd's clients take them.</summary>
    public static string? EtcdEndpoints(string text, out string value)
    {
        value = text;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        return parts.All(p => Uri.TryCreate(p, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            ? null
            : "must be http:// or https:// URLs, comma-separated";
    }

    public static string? Boolean(string text, out bool value) =>
        bool.TryParse(text, out value) ? null : "must be true or false";

    public static string? Prefix(string text, out string value)
    {
        value = text;
        return text.StartsWith('/') && text.EndsWith('/') ? null : "must start and end with '/'";
    }

    /// <summary>A duration as the flags take it (<c>500ms</c>, <c>10s</c>, <c>5m</c>) of at least <paramref name="least"/>.</summary>
    public static SettingParser<TimeSpan> Duration(TimeSpan least) => (string text, out TimeSpan value) =>
    {
        value = default;
        if (!Core.Validation.Duration.TryParse(text, out var duration))
        {
            return "must be a duration such as 500ms, 10s or 5m";
        }

        value = duration.Value;
        return value < least ? $"must be at least {Core.Validation.Duration.Of(least)}" : null;
    };

    /// <summary>A duration as <see cref="Duration"/> reads it, of at least <paramref name="least"/>, or <c>0s</c>: off.</summary>
    public static SettingParser<TimeSpan> DurationOrOff(TimeSpan least) => (string text, out TimeSpan value) =>
        Duration(TimeSpan.Zero)(text, out value) is { } problem ? problem
        : value != TimeSpan.Zero && value < least ? $"must be 0s (off) or at least {Core.Validation.Duration.Of(least)}"
        : null;

    /// <summary>A size in bytes, written as bytes or with <c>KiB</c> or <c>MiB</c> (<c>16MiB</c>), from <paramref name="least"/> to 1 GiB.</summary>
    public static SettingParser<int> Size(int least) => (string text, out int value) =>
    {
        const int most = 1024 * 1024 * 1024;
        value = 0;
        var (digits, unit) = text.EndsWith("MiB", StringComparison.Ordinal) ? (text[..^3], 1024L * 1024)
            : text.EndsWith("KiB", StringComparison.Ordinal) ? (text[..^3], 1024L)
            : (text, 1L);
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > most / unit || count * unit < least || count * unit > most)
        {
            return $"must be a size of {SizeText(least)}..1024MiB: bytes, or a whole number with KiB or MiB";
        }

        value = (int)(count * unit);
        return null;
    };

    /// <summary>A size as <see cref="Size"/> reads it, in its largest whole unit.</summary>
    public static string SizeText(int bytes) => bytes switch
    {
        _ when bytes % (1024 * 1024) == 0 => (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "MiB",
        _ when bytes % 1024 == 0 => (bytes / 1024).ToString(CultureInfo.InvariantCulture) + "KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };

    public static SettingParser<int> Integer(int least, int most) => (string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= least && value <= most
            ? null
            : $"must be a whole number {least}..{most}";
}
