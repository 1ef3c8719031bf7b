using System.Net;
using LightMesh.Releases;

namespace LightMesh.Host;

/// <summary>Where the controller listens and how its release engine runs.</summary>
public sealed record ControllerOptions
{
    /// <summary>The HTTP API (and <c>/healthz</c>, <c>/metrics</c>), as a URL: http://IP:PORT.</summary>
    public string Listen { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The xDS (ADS over gRPC, cleartext HTTP/2) endpoint, IP:PORT.</summary>
    public string XdsListen { get; init; } = "127.0.0.1:18000";

    /// <summary>Serve xDS streams that show no Node's proxy token (or an unknown one); for trying LightMesh on one machine.</summary>
    public bool AllowAnonymousProxies { get; init; }

    /// <summary>Where etcd's authentication is on: the file holding the registrar's password, which deployed services register with.</summary>
    public string? RegistrarPasswordFile { get; init; }

    /// <summary>
    /// The controllers the Envoy sidecars this controller deploys connect to, HOST:PORT comma-separated; null for this
    /// controller's own <see cref="XdsListen"/>. With several controllers, give every one the same list.
    /// </summary>
    public string? SidecarXds { get; init; }

    /// <summary>Serve the operator console at <c>/console/</c>; false serves the API only (no console pages, sessions or key ring).</summary>
    public bool Console { get; init; } = true;

    /// <summary>
    /// The Grafana (http(s)://HOST:PORT[/PATH]) with the dashboards of <c>dashboards/</c>: the console links each release to
    /// the releases dashboard for its service and time range. Null for no link.
    /// </summary>
    public string? Grafana { get; init; }

    public TimeSpan DebounceQuiet { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Set to false for a controller that runs no workflows (an API and xDS replica only).</summary>
    public bool RunReleases { get; init; } = true;

    public ReleaseEngineOptions Engine { get; init; } = new();

    /// <summary>The JSON file with the <c>LightMesh</c> section (<c>--config</c>); null reads appsettings.json in the working directory, if there is one.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>
    /// Configuration keys (<c>LightMesh:Auth:...</c>, <c>LightMesh:Engine:LeaseTtl</c>) set in code; they override the file and
    /// the environment, and a server setting's key overrides the value this record (or its etcd options) gives.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary><c>lightmesh server</c>'s flags, by flag (<c>--listen</c>): the keys they set override every other source.</summary>
    public IReadOnlyDictionary<string, string> Flags { get; init; } = new Dictionary<string, string>();

    public IPEndPoint ListenEndpoint => Uri.TryCreate(Listen, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host, out var ip)
        ? new IPEndPoint(ip, uri.Port)
        : throw new FormatException($"Listen: \"{Listen}\" must be http://IP:PORT");

    public IPEndPoint XdsEndpoint => IPEndPoint.Parse(XdsListen);

    /// <summary><see cref="SidecarXds"/> read, else this controller's own xDS endpoint.</summary>
    public IReadOnlyList<(string Host, int Port)> SidecarXdsEndpoints => SidecarXds is { } list
        ? Core.Validation.HostPorts.ParseList(list) ?? throw new FormatException($"SidecarXds: \"{list}\" must be HOST:PORT, or several comma-separated")
        : [(XdsEndpoint.Address.ToString(), XdsEndpoint.Port)];
}
