using System.Globalization;
using LightMesh.Core.Validation;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Every setting of <c>lightmesh server</c>, each defined once: flag, configuration key, parser, and where it goes in
/// <see cref="ServerOptions"/>, whose records hold the defaults. A value comes from the flag, else the environment
/// (<c>LightMesh__Server__Listen</c>), else the configuration file, else the default.
/// </summary>
public static class ServerSettings
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
            SettingParsers.ControllerName, _ => "host:pid", (o, v) => o.WithEngine(e => e with { Candidate = v })),
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

    // Reading every server setting from its flag, the environment, the file or its default, and checking them all at once.

    /// <summary>
    /// The options the flags in <paramref name="flags"/> (by flag: <c>--listen</c>) and <paramref name="configuration"/>
    /// (<see cref="ControllerConfiguration.Read"/>) give, and every problem with them, each naming the flag, key or
    /// variable the wrong value came from, and the file or variable that holds it.
    /// </summary>
    public static (ServerOptions Options, IReadOnlyList<string> Errors) Resolve(IConfigurationRoot configuration, IReadOnlyDictionary<string, string> flags)
    {
        var options = new ServerOptions();
        var errors = new List<string>();
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in All)
        {
            var (text, source, where) = Find(configuration, flags, setting);
            if (text is null)
            {
                if (configuration.GetSection(setting.Key).GetChildren().Any())
                {
                    errors.Add($"{setting.Key}: must be one value, not a list or an object");
                }

                continue;
            }

            sources[setting.Key] = source;
            var (read, problem) = setting.Read(options, text);
            if (problem is null)
            {
                options = read!;
            }
            else
            {
                errors.Add(ServerSetting.Problem(source, text, problem, where));
            }
        }

        errors.AddRange(Unknown(configuration));
        if (errors.Count == 0 && options.Etcd.Check() is { } etcdProblem)
        {
            errors.Add($"etcd settings (LightMesh:Etcd, --etcd-...): {etcdProblem}");
        }

        if (errors.Count == 0 && options.Controller.ListenEndpoint.Equals(options.Controller.XdsEndpoint))
        {
            var listen = sources.GetValueOrDefault(ByFlag("--listen").Key, ByFlag("--listen").Key);
            var xds = sources.GetValueOrDefault(ByFlag("--xds-listen").Key, ByFlag("--xds-listen").Key);
            errors.Add($"{xds}: must differ from {listen} ({options.Controller.XdsListen})");
        }

        return (options, errors);
    }

    /// <summary>The setting's text and where it came from: the flag; else the last configuration source that has the key.</summary>
    private static (string? Text, string Source, string Where) Find(IConfigurationRoot configuration, IReadOnlyDictionary<string, string> flags, ServerSetting setting)
    {
        if (flags.TryGetValue(setting.Flag, out var given))
        {
            return (given, setting.Flag, "");
        }

        foreach (var provider in configuration.Providers.Reverse())
        {
            if (provider.TryGet(setting.Key, out var text) && text is not null)
            {
                return provider switch
                {
                    EnvironmentAliases aliases => (text, aliases.VariableOf(setting.Key), ""),
                    EnvironmentVariablesConfigurationProvider => (text, setting.Key, $" (environment variable {setting.Key.Replace(":", "__", StringComparison.Ordinal)})"),
                    FileConfigurationProvider file => (text, setting.Key, $" (in {file.Source.FileProvider?.GetFileInfo(file.Source.Path ?? "").PhysicalPath ?? file.Source.Path})"),
                    _ => (text, setting.Key, ""),
                };
            }
        }

        return (null, setting.Key, "");
    }

    /// <summary>A key under <see cref="Root"/> that nothing reads: most likely a misspelling, which would otherwise leave the default in force.</summary>
    private static IEnumerable<string> Unknown(IConfiguration configuration)
    {
        var root = configuration.GetSection(Root);
        var sections = All.Select(s => s.Section[(Root.Length + 1)..]).Distinct().Concat(OtherSections).ToList();
        foreach (var section in root.GetChildren())
        {
            if (!sections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{section.Path}: not a section; {Root} has {string.Join(", ", sections)}";
                continue;
            }

            var known = All.Where(s => string.Equals(s.Section, section.Path, StringComparison.OrdinalIgnoreCase)).Select(s => s.Name).ToList();
            if (known.Count == 0)
            {
                continue;
            }

            foreach (var child in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                yield return $"{child.Path}: not a setting; {section.Path} has {string.Join(", ", known)}";
            }
        }
    }
}
