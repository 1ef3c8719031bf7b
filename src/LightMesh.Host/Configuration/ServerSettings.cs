using System.Globalization;
using LightMesh.Core.Validation;
using LightMesh.Etcd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LightMesh.Releases;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Every setting of <c>lightmesh server</c>, each defined once: flag, configuration key, parser, and where it goes in
/// <see cref="ServerOptions"/>, whose records hold the defaults. A value comes from the flag, else the environment
/// (<c>LightMesh__Server__Listen</c>), else the configuration file, else the default: the flags are the last
/// configuration source (<see cref="FlagSettings"/>), so all of them reach the options the same way.
/// </summary>
public static class ServerSettings
{
    public const string Root = "LightMesh";

    /// <summary>The sections under <see cref="Root"/> that are not server settings, each with its own validator.</summary>
    public static IReadOnlyList<string> OtherSections { get; } = ["Auth", "Hooks"];

    public static IReadOnlyList<ServerSetting> All { get; } =
    [
        Server("--listen", "Server:Listen", "HTTP API, /healthz and /metrics: http://IP:PORT",
            SettingParsers.HttpEndpoint, c => c.Listen, (c, v) => c with { Listen = v }),
        Server("--xds-listen", "Server:XdsListen", "xDS (ADS over gRPC) endpoint: IP:PORT",
            SettingParsers.IpEndpoint, c => c.XdsListen, (c, v) => c with { XdsListen = v }),
        Server("--sidecar-xds", "Server:SidecarXds", "The controllers the Envoy sidecars it deploys connect to, HOST:PORT comma-separated; the same on every controller",
            SettingParsers.HostPortList, _ => "its own --xds-listen", (c, v) => c with { SidecarXds = v }) with { Optional = true },
        Engine("--prometheus", "Server:Prometheus", "Prometheus for analyses whose template names none",
            SettingParsers.HttpUrl, e => e.Prometheus, (e, v) => e with { Prometheus = v }),
        Engine("--name", "Server:Name", "This controller's name in the leader election and on its report of its proxies (controlplanes/NAME)",
            SettingParsers.ControllerName, _ => "host:pid", (e, v) => e with { Candidate = v }),
        Server("--allow-anonymous-proxies", "Server:AllowAnonymousProxies", "Serve xDS streams that show no Node's proxy token; only for trying LightMesh on one machine",
            SettingParsers.Boolean, c => c.AllowAnonymousProxies, (c, v) => c with { AllowAnonymousProxies = v }, v => v ? "true" : "false"),
        Engine("--lease-ttl", "Engine:LeaseTtl", "Leadership lease, and the lease of this controller's report of its proxies; a standby takes over this long after the leader dies",
            SettingParsers.Duration(TimeSpan.FromSeconds(1)), e => e.LeaseTtl, (e, v) => e with { LeaseTtl = v }),
        Engine("--drain-delay", "Engine:DrainDelay", "How long a version without traffic keeps running before removal",
            SettingParsers.Duration(TimeSpan.Zero), e => e.DrainDelay, (e, v) => e with { DrainDelay = v }),
        Engine("--convergence-timeout", "Engine:ConvergenceTimeout", "How long a traffic change may take to reach every proxy",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(1)), e => e.ConvergenceTimeout, (e, v) => e with { ConvergenceTimeout = v }),
        Engine("--deploy-timeout", "Engine:DeployTimeout", "How long a deploy may take until the canary's instances register",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(1)), e => e.DeployTimeout, (e, v) => e with { DeployTimeout = v }),
        Engine("--poll-interval", "Engine:PollInterval", "How often the workflow host looks for due releases",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(1)), e => e.PollInterval, (e, v) => e with { PollInterval = v }),
        Engine("--background-interval", "Engine:BackgroundInterval", "How often a background analysis runs again",
            SettingParsers.Duration(TimeSpan.FromSeconds(1)), e => e.BackgroundInterval, (e, v) => e with { BackgroundInterval = v }),
        Engine("--retry-delay", "Engine:RetryDelay", "First wait before a command that failed for a reason that may pass is tried again; doubles with each try",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(100)), e => e.RetryDelay, (e, v) => e with { RetryDelay = v }),
        Engine("--max-retry-delay", "Engine:MaxRetryDelay", "Longest wait between two tries of a command",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(100)), e => e.MaxRetryDelay, (e, v) => e with { MaxRetryDelay = v }),
        Engine("--recheck-interval", "Engine:RecheckInterval", "How often the leader looks at every active release and wakes those that are due",
            SettingParsers.Duration(TimeSpan.FromSeconds(1)), e => e.RecheckInterval, (e, v) => e with { RecheckInterval = v }),
        Engine("--schedule-interval", "Engine:ScheduleInterval", "How often the leader looks for Schedules that are due; a firing starts at most this late",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(100)), e => e.ScheduleInterval, (e, v) => e with { ScheduleInterval = v }),
        Engine("--group-interval", "Engine:GroupInterval", "How often the leader looks at its active group releases: members to start or roll back, actions to carry out, notifications to tell",
            SettingParsers.Duration(TimeSpan.FromMilliseconds(100)), e => e.GroupInterval, (e, v) => e with { GroupInterval = v }),
        Engine("--max-concurrent-releases", "Engine:MaxConcurrentReleases", "Releases carried out at the same time; the others wait their turn",
            SettingParsers.Integer(1, 10000), e => e.MaxConcurrentReleases, (e, v) => e with { MaxConcurrentReleases = v }),
        Engine("--measurement-retention", "Engine:MeasurementRetention", "Measurements kept of each analysis metric, the newest",
            SettingParsers.Integer(1, 1000), e => e.MeasurementRetention, (e, v) => e with { MeasurementRetention = v }),
        Engine("--release-history", "Engine:ReleaseHistory", "Ended releases kept per service, the newest",
            SettingParsers.Integer(1, 100000), e => e.ReleaseHistory, (e, v) => e with { ReleaseHistory = v }),
        Engine("--release-history-age", "Engine:ReleaseHistoryAge", "An ended release is deleted this long after it ended",
            SettingParsers.Duration(TimeSpan.FromMinutes(1)), e => e.ReleaseHistoryAge, (e, v) => e with { ReleaseHistoryAge = v }),
        Engine("--etcd-compaction-interval", "Engine:EtcdCompactionInterval", "How often the leader compacts etcd's history, keeping at least this much of it; 0s leaves it to etcd's own --auto-compaction-retention",
            SettingParsers.DurationOrOff(TimeSpan.FromMinutes(1)), e => e.EtcdCompactionInterval, (e, v) => e with { EtcdCompactionInterval = v }),
        Etcd("--etcd", "Etcd:Endpoints", "etcd client URLs, comma-separated",
            SettingParsers.EtcdEndpoints, e => e.Endpoints, (e, v) => e with { Endpoints = v }) with { Alias = "LIGHTMESH_ETCD" },
        Etcd("--prefix", "Etcd:Prefix", "Key prefix in etcd; ends with '/'",
            SettingParsers.Prefix, e => e.Prefix, (e, v) => e with { Prefix = v }),
        Etcd("--etcd-user", "Etcd:Username", "The etcd user the controller authenticates as (lightmesh etcd init-auth made lightmesh-controller)",
            SettingParsers.Name, _ => "none", (e, v) => e with { Username = v }) with { Optional = true, Alias = "LIGHTMESH_ETCD_USER" },
        Etcd("--etcd-password-file", "Etcd:PasswordFile", "A file whose first line is the etcd user's password",
            SettingParsers.Name, _ => "none", (e, v) => e with { PasswordFile = v }) with { Optional = true },
        Etcd("--etcd-ca", "Etcd:CaFile", "CA certificates (PEM) etcd's server certificate must chain to, for https:// endpoints",
            SettingParsers.Name, _ => "the machine's trust store", (e, v) => e with { CaFile = v }) with { Optional = true },
        Etcd("--etcd-cert", "Etcd:CertFile", "A client certificate (PEM) for an etcd that asks for one, with --etcd-key",
            SettingParsers.Name, _ => "none", (e, v) => e with { CertFile = v }) with { Optional = true },
        Etcd("--etcd-key", "Etcd:KeyFile", "The client certificate's private key (PEM)",
            SettingParsers.Name, _ => "none", (e, v) => e with { KeyFile = v }) with { Optional = true },
        Server("--console", "Server:Console", "Serve the operator console at /console/ on the API's address; false serves the API only",
            SettingParsers.Boolean, c => c.Console, (c, v) => c with { Console = v }, v => v ? "true" : "false"),
        Server("--grafana", "Server:Grafana", "The Grafana whose releases dashboard the console links each release to (its service and time range)",
            SettingParsers.HttpUrlText, _ => "none", (c, v) => c with { Grafana = v }) with { Optional = true },
        Server("--registrar-password-file", "Server:RegistrarPasswordFile", "Where etcd's authentication is on: the file holding the lightmesh-registrar user's password, given to the services the controller deploys (never its own)",
            SettingParsers.Name, _ => "none", (c, v) => c with { RegistrarPasswordFile = v }) with { Optional = true },
        Etcd("--etcd-max-message-size", "Etcd:MaxMessageSize", "Largest answer accepted from etcd: bytes, or with KiB or MiB",
            SettingParsers.Size(1024 * 1024), e => e.MaxMessageSize, (e, v) => e with { MaxMessageSize = v }, SettingParsers.SizeText),
    ];

    /// <summary>The setting of <paramref name="flag"/> (<c>--listen</c>).</summary>
    public static ServerSetting ByFlag(string flag) =>
        All.FirstOrDefault(s => s.Flag == flag) ?? throw new ArgumentException($"{flag} is not a server setting", nameof(flag));

    /// <summary>
    /// <paramref name="start"/> with every setting whose text <paramref name="configuration"/> holds, read as the table
    /// reads it. A text that does not read leaves the value as it was: the options' validators name it.
    /// </summary>
    public static ServerOptions Bind(IConfigurationRoot configuration, ServerOptions start) =>
        All.Aggregate(start, (options, setting) =>
            SettingText.Find(configuration, setting) is { } text && setting.Read(options, text.Text) is ({ } read, null) ? read : options);

    /// <summary>
    /// The options the flags in <paramref name="flags"/> (by flag: <c>--listen</c>) and <paramref name="configuration"/>
    /// (<see cref="ControllerConfiguration.Read"/>) give, and every problem with them, each naming the flag, key or
    /// variable the wrong value came from: what the controller's options would say at start, said before it starts.
    /// </summary>
    public static (ServerOptions Options, IReadOnlyList<string> Errors) Resolve(IConfigurationRoot configuration, IReadOnlyDictionary<string, string> flags)
    {
        configuration = ControllerConfiguration.WithFlags(configuration, flags);
        var options = Bind(configuration, new ServerOptions());
        using var services = new ServiceCollection().AddLightMeshServerSettings(configuration, options).BuildServiceProvider();
        return (options, [.. Failures<ControllerOptions>(services), .. Failures<ReleaseEngineOptions>(services), .. Failures<EtcdOptions>(services)]);
    }

    /// <summary>
    /// Keys under <paramref name="section"/> (<see cref="Root"/>, or a section of settings under it) that nothing reads:
    /// most likely a misspelling, which would otherwise leave the default in force.
    /// </summary>
    internal static IEnumerable<string> Unknown(IConfiguration configuration, string section)
    {
        var (what, known) = section == Root
            ? ("section", All.Select(s => s.Section[(Root.Length + 1)..]).Distinct().Concat(OtherSections).ToList())
            : ("setting", All.Where(s => string.Equals(s.Section, section, StringComparison.OrdinalIgnoreCase)).Select(s => s.Name).ToList());
        return UnknownKeys.In(configuration.GetSection(section), known, what);
    }

    private static IEnumerable<string> Failures<T>(IServiceProvider services)
        where T : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<T>>().Value;
            return [];
        }
        catch (OptionsValidationException invalid)
        {
            return invalid.Failures;
        }
    }

    private static ServerSetting Server<T>(string flag, string key, string help, SettingParser<T> parse, Func<ControllerOptions, T> current, Func<ControllerOptions, T, ControllerOptions> apply, Func<T, string>? show = null)
        where T : notnull => Of(typeof(ControllerOptions), flag, key, help, parse, current(new ControllerOptions()), (o, v) => o.WithController(c => apply(c, v)), show);

    private static ServerSetting Engine<T>(string flag, string key, string help, SettingParser<T> parse, Func<ReleaseEngineOptions, T> current, Func<ReleaseEngineOptions, T, ReleaseEngineOptions> apply, Func<T, string>? show = null)
        where T : notnull => Of(typeof(ReleaseEngineOptions), flag, key, help, parse, current(new ReleaseEngineOptions()), (o, v) => o.WithEngine(e => apply(e, v)), show);

    private static ServerSetting Etcd<T>(string flag, string key, string help, SettingParser<T> parse, Func<EtcdOptions, T> current, Func<EtcdOptions, T, EtcdOptions> apply, Func<T, string>? show = null)
        where T : notnull => Of(typeof(EtcdOptions), flag, key, help, parse, current(new EtcdOptions()), (o, v) => o.WithEtcd(e => apply(e, v)), show);

    private static ServerSetting Of<T>(Type target, string flag, string key, string help, SettingParser<T> parse, T defaultValue, Func<ServerOptions, T, ServerOptions> apply, Func<T, string>? show)
        where T : notnull => new()
    {
        Flag = flag,
        Key = $"{Root}:{key}",
        Help = help,
        Target = target,
        Default = defaultValue switch
        {
            var value when show is not null => show(value),
            TimeSpan span => Duration.Of(span).Text,
            var value => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        },
        Read = (options, text) => parse(text, out var value) is { } problem ? (null, problem) : (apply(options, value), null),
    };
}
