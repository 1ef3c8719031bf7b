using LightMesh.Cli.Local;
using LightMesh.Cli.Output;
using LightMesh.Core.Security;
using LightMesh.Host.Security;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary>
/// <c>lightmesh dev up</c>: etcd, a controller and a Prometheus that finds instances through it, on free ports of
/// 127.0.0.1, for trying LightMesh on this machine. They run on after the command returns, until <c>dev down</c>.
/// </summary>
public sealed class DevUpCommand : AsyncCommand<DevSettings>
{
    private static readonly TimeSpan ControllerReadyTimeout = TimeSpan.FromSeconds(90);

    public override async Task<int> ExecuteAsync(CommandContext context, DevSettings settings, CancellationToken cancellationToken)
    {
        var dir = settings.DevDirectory;
        using var held = await DevLock.TakeAsync(dir, cancellationToken);
        if (DevState.Read(dir) is { } existing)
        {
            if (existing.Processes.Any(DetachedProcess.IsRunning))
            {
                Printer.Error($"error: a dev environment is up in {dir} already (controller {existing.Controller}); use it with "
                    + $"eval \"$({DevSettings.Invocation} dev env)\", or stop it first: {DevSettings.Invocation} dev down");
                return ExitCodes.Conflict;
            }
        }

        // Nothing runs from here (a reboot, a kill, a failed dev up): start afresh.
        DevDirectory.Clear(dir);

        await PrerequisiteInstaller.EnsureAsync([Prerequisites.Etcd, Prerequisites.Prometheus], dir, Printer.Line, cancellationToken);
        var ports = DistinctFreePorts(5);
        var etcd = new Uri($"http://127.0.0.1:{ports[0]}/");
        var controller = new Uri($"http://127.0.0.1:{ports[2]}/");
        var prometheus = new Uri($"http://127.0.0.1:{ports[4]}/");
        var admin = TokenHash.NewToken();
        var viewer = TokenHash.NewToken();
        var hookSecret = TokenHash.NewToken();
        var state = new DevState
        {
            Etcd = etcd.GetLeftPart(UriPartial.Authority),
            Controller = controller.GetLeftPart(UriPartial.Authority),
            Xds = $"127.0.0.1:{ports[3]}",
            Prometheus = prometheus.GetLeftPart(UriPartial.Authority),
            TokenFile = TokenFile.Write(Path.Combine(dir, "token"), admin),
        };
        var hookSecretFile = TokenFile.Write(Path.Combine(dir, "hook-secret"), hookSecret);

        try
        {
            state = await StartAsync(state, dir, "etcd", ExecutableSearch.Require(Prerequisites.Etcd),
                LocalEtcd.Arguments("lightmesh-dev", Path.Combine(dir, "etcd-data"), etcd, new Uri($"http://127.0.0.1:{ports[1]}/")),
                LocalEtcd.EnvironmentVariables(), LocalEtcd.Healthy(etcd), cancellationToken);
            Printer.Line($"etcd         {state.Etcd}");

            state = await StartAsync(state, dir, "controller", SelfCommand.Host,
                SelfCommand.Arguments(
                    "server", "--etcd", state.Etcd, "--name", "dev", "--listen", state.Controller, "--xds-listen", state.Xds,
                    "--prometheus", prometheus.ToString(), "--allow-anonymous-proxies", "true",
                    "--drain-delay", "2s", "--background-interval", "2s", "--poll-interval", "250ms"),
                new Dictionary<string, string>
                {
                    ["LightMesh__Auth__Tokens__0__Name"] = "dev-admin",
                    ["LightMesh__Auth__Tokens__0__Role"] = Roles.Admin,
                    ["LightMesh__Auth__Tokens__0__Sha256"] = TokenHash.HexOf(admin),
                    ["LightMesh__Auth__Tokens__1__Name"] = "dev-prometheus",
                    ["LightMesh__Auth__Tokens__1__Role"] = Roles.Viewer,
                    ["LightMesh__Auth__Tokens__1__Sha256"] = TokenHash.HexOf(viewer),
                    ["LightMesh__Hooks__Generic__Secret"] = hookSecret,
                },
                Readiness.ControllerLeads(controller, admin, ControllerReadyTimeout), cancellationToken);
            Printer.Line($"controller   {state.Controller} (xDS on {state.Xds}, letting in proxies without a token; admin token in {state.TokenFile}, "
                + $"the generic CI webhook's secret in {hookSecretFile})");

            var config = await LocalPrometheus.WriteConfigAsync(
                new LocalPrometheusOptions
                {
                    DiscoveryUrl = new Uri(controller, "api/v1/sd/prometheus"),
                    DiscoveryToken = viewer,
                    DiscoveryRefreshInterval = TimeSpan.FromSeconds(1),
                    ControllerMetricsUrl = new Uri(controller, "metrics"),
                    ScrapeInterval = TimeSpan.FromMilliseconds(500),
                    EvaluationInterval = TimeSpan.FromSeconds(1),
                },
                dir,
                cancellationToken);
            state = await StartAsync(state, dir, "Prometheus", ExecutableSearch.Require(Prerequisites.Prometheus),
                LocalPrometheus.Arguments(config, dir, prometheus), new Dictionary<string, string>(), LocalPrometheus.Ready(prometheus), cancellationToken);
            Printer.Line($"Prometheus   {state.Prometheus} (finds every registered instance through the controller)");
        }
        catch
        {
            // The logs stay, for the error to point at; the rest goes with the next dev up.
            await DevDirectory.StopAllAsync(state, CancellationToken.None);
            File.Delete(DevState.PathIn(dir));
            throw;
        }

        Printer.Line($"logs         {dir}");
        Printer.Line("");
        Printer.Line($"Use them:    eval \"$({DevSettings.Invocation} dev env)\"   (sets LIGHTMESH_ETCD, LIGHTMESH_SERVER, LIGHTMESH_TOKEN, LIGHTMESH_XDS)");
        Printer.Line($"Stop them:   {DevSettings.Invocation} dev down");
        return ExitCodes.Ok;
    }

    /// <summary>Starts one process, records it before waiting for it (so a failure still stops it), and waits until it is ready.</summary>
    private static async Task<DevState> StartAsync(
        DevState state, string dir, string name, string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        Readiness readiness, CancellationToken cancellationToken)
    {
        var process = DetachedProcess.Start(name, program, arguments, environment, Path.Combine(dir, $"{name.ToLowerInvariant()}.log"));
        var started = state.With(process);
        started.Write(dir);
        await DetachedProcess.WaitUntilReadyAsync(process, readiness, cancellationToken);
        return started;
    }

    private static int[] DistinctFreePorts(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(LoopbackPort.Free());
        }

        return [.. ports];
    }
}
