using LightMesh.Core;
using LightMesh.Core.Security;
using LightMesh.Host.Security;
using LightMesh.Processes;

namespace LightMesh.Demo.Dev;

/// <summary>
/// <c>lightmesh dev up</c>: etcd, a controller and a Prometheus that finds instances through it, on free ports of
/// 127.0.0.1, each in a session of its own so they run on after the command returns, until <c>dev down</c>.
/// </summary>
/// <param name="output">Where it says what it started.</param>
/// <param name="invocation">How the user runs the CLI (<c>./lightmesh</c> or <c>lightmesh</c>), for the next steps it names.</param>
public sealed class DevEnvironment(TextWriter output, string invocation)
{
    private static readonly TimeSpan ControllerReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan EtcdReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts everything in <paramref name="dir"/>; a <see cref="ConflictException"/> when an environment is up there already.</summary>
    public async Task UpAsync(string dir, CancellationToken cancellationToken)
    {
        using var held = await DevLock.TakeAsync(dir, cancellationToken);
        if (DevState.Read(dir) is { } existing && existing.Processes.Any(DetachedProcess.IsRunning))
        {
            throw new ConflictException($"a dev environment is up in {dir} already (controller {existing.Controller}); use it with "
                + $"eval \"$({invocation} dev env)\", or stop it first: {invocation} dev down");
        }

        // Nothing runs from here (a reboot, a kill, a failed dev up): start afresh.
        DevDirectory.Clear(dir);

        await PrerequisiteInstaller.EnsureAsync([Prerequisites.Etcd, Prerequisites.Prometheus], dir, output.WriteLine, cancellationToken);

        int[] ports = [.. Enumerable.Range(0, 5).Select(_ => LoopbackPort.Free())];
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
                LocalEtcd.Arguments(new LocalEtcdOptions
                {
                    Member = "lightmesh-dev", DataDirectory = Path.Combine(dir, "etcd-data"), ClientUrl = etcd, PeerUrl = new Uri($"http://127.0.0.1:{ports[1]}/"),
                }),
                LocalEtcd.EnvironmentVariables(), LocalEtcd.Healthy(etcd, EtcdReadyTimeout), cancellationToken);
            output.WriteLine($"etcd         {state.Etcd}");

            state = await StartAsync(state, dir, "controller", SelfCommand.Host,
                SelfCommand.Arguments(
                    "server", "--etcd", state.Etcd, "--name", "dev", "--listen", state.Controller, "--xds-listen", state.Xds,
                    "--prometheus", prometheus.ToString(), "--allow-anonymous-proxies", "true",
                    "--drain-delay", "2s", "--background-interval", "2s", "--poll-interval", "250ms"),
                new Dictionary<string, string>(ControllerTokens.Environment(("dev-admin", Roles.Admin, admin), ("dev-prometheus", Roles.Viewer, viewer)))
                {
                    ["LightMesh__Hooks__Generic__Secret"] = hookSecret,
                },
                Readiness.ControllerLeads(controller, admin, ControllerReadyTimeout), cancellationToken);
            output.WriteLine($"controller   {state.Controller} (xDS on {state.Xds}, letting in proxies without a token; admin token in {state.TokenFile}, "
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
            output.WriteLine($"Prometheus   {state.Prometheus} (finds every registered instance through the controller)");
        }
        catch
        {
            // The logs stay, for the error to point at; the rest goes with the next dev up.
            await DevDirectory.StopAllAsync(state, output.WriteLine, CancellationToken.None);
            File.Delete(DevState.PathIn(dir));
            throw;
        }

        output.WriteLine($"logs         {dir}");
        output.WriteLine("");
        output.WriteLine($"Use them:    eval \"$({invocation} dev env)\"   (sets LIGHTMESH_ETCD, LIGHTMESH_SERVER, LIGHTMESH_TOKEN, LIGHTMESH_XDS)");
        output.WriteLine($"Stop them:   {invocation} dev down");
    }

    /// <summary>Stops everything started in <paramref name="dir"/> and removes it with its data and logs.</summary>
    public async Task DownAsync(string dir, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(dir))
        {
            output.WriteLine($"no dev environment in {dir}: nothing to stop");
            return;
        }

        using (await DevLock.TakeAsync(dir, cancellationToken))
        {
            if (DevState.Read(dir) is { } state)
            {
                await DevDirectory.StopAllAsync(state, output.WriteLine, cancellationToken);
            }

            DevDirectory.Clear(dir);
        }

        Directory.Delete(dir, recursive: true);
        output.WriteLine($"removed {dir}");
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
}
