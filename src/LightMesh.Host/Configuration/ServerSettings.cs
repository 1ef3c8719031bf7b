using System.Globalization;
using LightMesh.Core.Validation;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Every setting of <c>lightmesh server</c>, each defined once: flag, configuration key, parser, and where it goes in
/// <see cref="ServerOptions"/>, whose records hold the defaults. A value comes from the flag, else the environment
/// (<c>LightMesh__Server__Listen</c>), else the configuration file, else the default.
/// </summary>
public static partial class ServerSettings
{
    public const string Root = "LightMesh";

    /// <summary>The sections under <see cref="Root"/> that are not server settings, each with its own validator.</summary>
    public static IReadOnlyList<string> OtherSections { get; } = ["Auth", "Hooks"];

    public static IReadOnlyList<ServerSetting> All { get; } =
    [
        Of("--listen", "Server:Listen", "HTTP API, /healthz and /metrics: http://IP:PORT",
            SettingParsers.HttpEndpoint, o => o.Controller.Listen, (o, v) => o.WithController(c => c with { Listen = v })),
        Of("--xds-listen", "Server:XdsListen", "xDS (ADS over gRPC) endpoint: IP:PORT",
            SettingParsers.IpEndpoint, o => o.Controller.XdsListen, (o, v) => o.WithController(c => c with { XdsListen = v })),
        Of("--sidecar-xds", "Server:SidecarXds", "The controllers the Envoy sidecars it deploys connect to, HOST:PORT comma-separated; the same on every controller",
            SettingParsers.HostPortList, _ => "its own --xds-listen", (o, v) => o.WithController(c => c with { SidecarXds = v })) with { Optional = true },
        Of("--prometheus", "Server:Prometheus", "Prometheus for analyses whose template names none",
            SettingParsers.HttpUrl, o => o.Controller.Engine.Prometheus, (o, v) => o.WithEngine(e => e with { Prometheus = v })),
        Of("--name", "Server:Name", "This controller's name in the leader election and on its report of its proxies (controlplanes/NAME)",
            SettingParsers.Name, _ => "host:pid", (o, v) => o.WithEngine(e => e with { Candidate = v })),
        Of("--allow-anonymous-proxies", "Server:AllowAnonymousProxies", "Serve xDS streams that show no Node's proxy token; only for trying LightMesh on one machine",
            SettingParsers.Boolean, o => o.Controller.AllowAnonymousProxies, (o, v) => o.WithController(c => c with { AllowAnonymousProxies = v }), v => v ? "true" : "false"),
        Of("--lease-ttl", "Engine:LeaseTtl", "Leadership lease, and the lease of this controller's report of its proxies; a standby takes over this long after the leader dies",
            SettingParsers.Duration(TimeSpan.FromSeconds(1)), o => o.Controller.Engine.LeaseTtl, (o, v) => o.WithEngine(e => e with { LeaseTtl = v })),
        Of("--drain-delay", "Engine:DrainDelay", "How long a version without traffic keeps running before removal",
            SettingParsers.Duration(TimeSpan.Zero), o => o.Controller.Engine.DrainDelay, (o, v) => o.WithEngine(e => e with { DrainDelay = v })),
        Of("--convergence-timeout", "Engine:ConvergenceTimeout", "How long a traffic change may take to reach every proxy",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(1)), o => o.Controller.Engine.ConvergenceTimeout, (o, v) => o.WithEngine(e => e with { ConvergenceTimeout = v })),
        Of("--deploy-timeout", "Engine:DeployTimeout", "How long a deploy may take until the canary's instances register",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(1)), o => o.Controller.Engine.DeployTimeout, (o, v) => o.WithEngine(e => e with { DeployTimeout = v })),
        Of("--poll-interval", "Engine:PollInterval", "How often the workflow host looks for due releases",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(1)), o => o.Controller.Engine.PollInterval, (o, v) => o.WithEngine(e => e with { PollInterval = v })),
        Of("--background-interval", "Engine:BackgroundInterval", "How often a background analysis runs again",
            SettingParsers.Duration(TimeSpan.FromSeconds(1)), o => o.Controller.Engine.BackgroundInterval, (o, v) => o.WithEngine(e => e with { BackgroundInterval = v })),
        Of("--retry-delay", "Engine:RetryDelay", "First wait before a command that failed for a reason that may pass is tried again; doubles with each try",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(100)), o => o.Controller.Engine.RetryDelay, (o, v) => o.WithEngine(e => e with { RetryDelay = v })),
        Of("--max-retry-delay", "Engine:MaxRetryDelay", "Longest wait between two tries of a command",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(100)), o => o.Controller.Engine.MaxRetryDelay, (o, v) => o.WithEngine(e => e with { MaxRetryDelay = v })),
        Of("--recheck-interval", "Engine:RecheckInterval", "How often the leader looks at every active release and wakes those that are due",
            SettingParsers.Duration(TimeSpan.FromSeconds(1)), o => o.Controller.Engine.RecheckInterval, (o, v) => o.WithEngine(e => e with { RecheckInterval = v })),
        Of("--max-concurrent-releases", "Engine:MaxConcurrentReleases", "Releases carried out at the same time; the others wait their turn",
            SettingParsers.Integer(1, 10000), o => o.Controller.Engine.MaxConcurrentReleases, (o, v) => o.WithEngine(e => e with { MaxConcurrentReleases = v })),
        Of("--measurement-retention", "Engine:MeasurementRetention", "Measurements kept of each analysis metric, the newest",
            SettingParsers.Integer(1, 1000), o => o.Controller.Engine.MeasurementRetention, (o, v) => o.WithEngine(e => e with { MeasurementRetention = v })),
        Of("--release-history", "Engine:ReleaseHistory", "Ended releases kept per service, the newest",
            SettingParsers.Integer(1, 100000), o => o.Controller.Engine.ReleaseHistory, (o, v) => o.WithEngine(e => e with { ReleaseHistory = v })),
        Of("--release-history-age", "Engine:ReleaseHistoryAge", "An ended release is deleted this long after it ended",
            SettingParsers.Duration(TimeSpan.FromMinutes(1)), o => o.Controller.Engine.ReleaseHistoryAge, (o, v) => o.WithEngine(e => e with { ReleaseHistoryAge = v })),
        Of("--etcd", "Etcd:Endpoints", "etcd client URLs, comma-separated",
            SettingParsers.EtcdEndpoints, o => o.Etcd.Endpoints, (o, v) => o.WithEtcd(e => e with { Endpoints = v })) with { Alias = "LIGHTMESH_ETCD" },
        Of("--prefix", "Etcd:Prefix", "Key prefix in etcd; ends with '/'",
            SettingParsers.Prefix, o => o.Etcd.Prefix, (o, v) => o.WithEtcd(e => e with { Prefix = v })),
        OfOptional("--etcd-user", "Etcd:Username", "The etcd user the controller authenticates as (lightmesh etcd init-auth made lightmesh-controller)", "none",
            (o, v) => o.WithEtcd(e => e with { Username = v })) with { Alias = "LIGHTMESH_ETCD_USER" },
        OfOptional("--etcd-password-file", "Etcd:PasswordFile", "A file whose first line is the etcd user's password", "none",
            (o, v) => o.WithEtcd(e => e with { PasswordFile = v })),
        OfOptional("--etcd-ca", "Etcd:CaFile", "CA certificates (PEM) etcd's server certificate must chain to, for https:// endpoints", "the machine's trust store",
            (o, v) => o.WithEtcd(e => e with { CaFile = v })),
        OfOptional("--etcd-cert", "Etcd:CertFile", "A client certificate (PEM) for an etcd that asks for one, with --etcd-key", "none",
            (o, v) => o.WithEtcd(e => e with { CertFile = v })),
        OfOptional("--etcd-key", "Etcd:KeyFile", "The client certificate's private key (PEM)", "none",
            (o, v) => o.WithEtcd(e => e with { KeyFile = v })),
        OfOptional("--registrar-password-file", "Server:RegistrarPasswordFile", "Where etcd's authentication is on: the file holding the lightmesh-registrar user's password, given to the services the controller deploys (never its own)", "none",
            (o, v) => o.WithController(c => c with { RegistrarPasswordFile = v })),
        Of("--etcd-max-message-size", "Etcd:MaxMessageSize", "Largest answer accepted from etcd: bytes, or with KiB or MiB",
            SettingParsers.Size(1024 * 1024), o => o.Etcd.MaxMessageSize, (o, v) => o.WithEtcd(e => e with { MaxMessageSize = v }), SettingParsers.SizeText),
    ];

    /// <summary>A setting with no default: unset unless given; <paramref name="absent"/> says what unset means.</summary>
    private static ServerSetting OfOptional(string flag, string key, string help, string absent, Func<ServerOptions, string, ServerOptions> apply) =>
        Of(flag, key, help, SettingParsers.Name, _ => absent, apply) with { Optional = true };

    /// <summary>The setting of <paramref name="flag"/> (<c>--listen</c>).</summary>
    public static ServerSetting ByFlag(string flag) =>
        All.FirstOrDefault(s => s.Flag == flag) ?? throw new ArgumentException($"{flag} is not a server setting", nameof(flag));

    private static ServerSetting Of<T>(string flag, string key, string help, SettingParser<T> parse, Func<ServerOptions, T> current, Func<ServerOptions, T, ServerOptions> apply, Func<T, string>? show = null)
        where T : notnull => new()
    {
        Flag = flag,
        Key = $"{Root}:{key}",
        Help = help,
        Default = current(new ServerOptions()) switch
        {
            var value when show is not null => show(value),
            TimeSpan span => Duration.Of(span).Text,
            var value => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        },
        Read = (options, text) => parse(text, out var value) is { } problem ? (null, problem) : (apply(options, value), null),
    };
}
