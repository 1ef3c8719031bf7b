using System.Runtime.InteropServices;
using LightMesh.Client;
using LightMesh.Cli.Commands;
using LightMesh.Cli.Commands.Compose;
using LightMesh.Cli.Commands.Etcd;
using LightMesh.Cli.Commands.Release;
using LightMesh.Cli.Commands.Schedule;
using LightMesh.Cli.Commands.Xds;
using LightMesh.Completion;
using LightMesh.Cli.Dev;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Core.Documents;
using LightMesh.Etcd;
using Spectre.Console.Cli;

namespace LightMesh.Cli;

/// <summary>Wires the verbs, turns Ctrl-C and SIGTERM into cancellation, and maps failures to <see cref="ExitCodes"/>.</summary>
public static class LightMeshApp
{
    public static Task<int> RunAsync(string[] args) => RunAsync(args, Configure);

    /// <summary>Runs the verbs <paramref name="configure"/> wires (the benchmarks' own program runs its verbs here too).</summary>
    public static async Task<int> RunAsync(string[] args, Action<IConfigurator> configure)
    {
        using var cancellation = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

        var app = new CommandApp();
        app.Configure(configure);

        try
        {
            // The command-line parser takes a lone "-" for an option; "-f -" means standard input.
            return await app.RunAsync(args.Select(a => a == "-" ? DocumentFiles.StandardInput : a), cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return ExitCodes.Failed;
        }
        catch (Exception e) when (ExitCodeOf(e) is { } code)
        {
            // A word the parser did not know (strict: nothing runs): name the nearest one it knows.
            var hint = e switch
            {
                CommandAppException => UsageHints.For(CommandModelReader.Read(configure), args, e.Message),
                EtcdUnavailableException => "; is etcd running there? Start one for trying with ./lightmesh dev up, then eval \"$(./lightmesh dev env)\" (the README's Quick start), or point --etcd or $LIGHTMESH_ETCD at yours",
                _ => null,
            };
            await Console.Error.WriteLineAsync($"error: {e.Message}{hint}");
            return code;
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            cancellation.Cancel();
        }
    }

    /// <summary>This build's version, as <c>lightmesh --version</c> prints it.</summary>
    public static string Version { get; } =
        typeof(LightMeshApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";

    /// <summary>Every verb and its options; <c>completion</c> reads the same configuration to complete them.</summary>
    public static void Configure(IConfigurator config)
    {
        config.SetApplicationName("lightmesh");
        config.SetApplicationVersion(Version);
        config.SetHelpProvider(new LightMeshHelp(config.Settings));

        // An option a verb does not take is an error, never ignored: `apply --dry-run` must not write.
        config.UseStrictParsing();
        config.PropagateExceptions();
        config.AddCommand<DemoCommand>("demo").WithDescription("Run the whole product on this machine: a healthy release promoted, a failing one rolled back.");
        config.AddBranch<DevSettings>("dev", dev =>
        {
            dev.SetDescription("A local environment for trying LightMesh: etcd, Prometheus and a controller on this machine.");
            dev.AddCommand<DevUpCommand>("up").WithDescription("Start etcd, a controller and Prometheus on free ports of 127.0.0.1; they run until dev down.");
            dev.AddCommand<DevEnvCommand>("env").WithDescription("Print the LIGHTMESH_* variables that point the CLI at them: eval \"$(lightmesh dev env)\".");
            dev.AddCommand<DevRunCommand>("run").WithDescription("Run an instance of the demo service as SERVICE at VERSION, registered in the mesh.");
            dev.AddCommand<DevTrafficCommand>("traffic").WithDescription("Call a service through the mesh steadily, so releases shape real traffic.");
            dev.AddCommand<DevDownCommand>("down").WithDescription("Stop everything the dev environment started and remove its data.");
        });
        config.AddCommand<ValidateCommand>("validate").WithDescription("Check documents without writing them (no etcd needed).");
        config.AddCommand<ApplyCommand>("apply").WithDescription("Validate documents against the store and write them all, or none.");
        config.AddCommand<GetCommand>("get").WithDescription("Show stored documents of a kind, or one by name.");
        config.AddCommand<DeleteCommand>("delete").WithDescription("Delete a document, unless another still needs it.");
        config.AddCommand<WeightsCommand>("weights").WithDescription("Set the subset weights of a VirtualService route.");
        config.AddCommand<InstancesCommand>("instances").WithDescription("Show the live instances of a service.");
        config.AddCommand<RegisterCommand>("register").WithDescription("Register an instance and keep its lease alive until interrupted.");
        config.AddBranch<GlobalSettings>("xds", xds =>
        {
            xds.SetDescription("The mesh control plane (xDS over ADS).");
            xds.AddCommand<XdsServeCommand>("serve").WithDescription("Run the control plane against etcd.");
            xds.AddCommand<XdsStatusCommand>("status").WithDescription("Show connected proxies: ACKed versions and NACK errors.");
            xds.AddCommand<XdsBootstrapCommand>("bootstrap").WithDescription("Print a proxyless gRPC client's xDS bootstrap.");
        });
        config.AddBranch<GlobalSettings>("etcd", etcd =>
        {
            etcd.SetDescription("etcd itself: LightMesh's users and roles in it.");
            etcd.AddCommand<EtcdInitAuthCommand>("init-auth").WithDescription("Turn on etcd's authentication: LightMesh's roles, a user for each, passwords in files.");
        });
        config.AddCommand<ServerCommand>("server").WithDescription("Run the controller: release engine (when leader), xDS control plane, HTTP API.");
        config.AddBranch<ReleaseSettings>("console", console =>
        {
            console.SetDescription("The operator console every controller serves at /console/.");
            console.AddCommand<ConsoleLinkCommand>("link").WithDescription("Print a one-time link that signs a browser in to the console as the token's holder.");
        });
        config.AddCommand<ProxiesCommand>("proxies").WithDescription("Show the proxies connected to a controller's control plane (--server, --token).");
        config.AddBranch<ReleaseSettings>("release", release =>
        {
            release.SetDescription("Releases, through the controller's HTTP API (lightmesh server).");
            release.AddCommand<ReleaseStartCommand>("start").WithDescription("Start releasing a service's new version with a workflow.");
            release.AddCommand<ReleaseListCommand>("list").WithDescription("List releases, newest first: phase, step, weights.");
            release.AddCommand<ReleaseStatusCommand>("status").WithDescription("Show a release, its event log and analyses; --watch follows it to the end.");
            release.AddCommand<ReleaseActionCommand>("pause").WithData("pause").WithDescription("Pause a release where it is, until resumed.");
            release.AddCommand<ReleaseActionCommand>("resume").WithData("resume").WithDescription("Resume a paused release (also ends an untimed pause step).");
            release.AddCommand<ReleaseActionCommand>("abort").WithData("abort").WithDescription("Abort a release: all traffic back to stable, canary removed.");
            release.AddCommand<ReleasePromoteCommand>("promote").WithDescription("Finish the current step now; --full skips every step left and promotes.");
            release.AddCommand<ReleaseActionCommand>("approve").WithData("approve").WithDescription("Approve a release waiting at an approval step.");
            release.AddCommand<ReleaseActionCommand>("reject").WithData("reject").WithDescription("Reject a release waiting at an approval step; it rolls back.");
            release.AddCommand<ReleaseActionCommand>("rollback").WithData("rollback").WithDescription("Inside a release's rollback window: all traffic back to the old version at once, which still runs.");
            release.AddCommand<ReleaseActionCommand>("retry").WithData("retry").WithDescription("Start an aborted, rolled back or failed release again.");
            release.AddCommand<ReleaseStartGroupCommand>("start-group").WithDescription("Start a group release: several services' new versions, in a ReleaseGroupWorkflow's order, all or nothing.");
            release.AddBranch<ReleaseSettings>("group", group =>
            {
                group.SetDescription("Group releases: several services released as one unit.");
                group.AddCommand<ReleaseGroupStatusCommand>("status").WithDescription("Show a group release, a line per member; --watch follows it to the end.");
                group.AddCommand<ReleaseGroupActionCommand>("pause").WithData("pause").WithDescription("Pause a group release: no member starts, every running member pauses.");
                group.AddCommand<ReleaseGroupActionCommand>("resume").WithData("resume").WithDescription("Resume a paused group release and its paused members.");
                group.AddCommand<ReleaseGroupActionCommand>("approve").WithData("approve").WithDescription("Approve every member of a group release waiting for approval.");
                group.AddCommand<ReleaseGroupActionCommand>("abort").WithData("abort").WithDescription("Abort a group release: every member started rolls back, last started first.");
            });
        });
        config.AddBranch<ReleaseSettings>("schedule", schedule =>
        {
            schedule.SetDescription("Schedules that start releases by the clock, through the controller's HTTP API.");
            schedule.AddCommand<ScheduleAddCommand>("add").WithDescription("Write a Schedule: a cron (--cron) or one time (--at), a fixed or the newest announced version.");
            schedule.AddCommand<ScheduleListCommand>("list").WithDescription("List schedules: what each releases, its next firing, how the last went.");
            schedule.AddCommand<ScheduleRemoveCommand>("rm").WithData(DocumentKind.Schedule).WithDescription("Delete a Schedule.");
        });
        config.AddBranch<ReleaseSettings>("window", window =>
        {
            window.SetDescription("Delivery windows and freezes, through the controller's HTTP API.");
            window.AddCommand<WindowAddCommand>("add").WithDescription("Write a DeliveryWindow: allow or freeze, on a cron for a duration, or from --start to --end.");
            window.AddCommand<WindowListCommand>("list").WithDescription("List delivery windows: open now or not, and when that changes.");
            window.AddCommand<ScheduleRemoveCommand>("rm").WithData(DocumentKind.DeliveryWindow).WithDescription("Delete a DeliveryWindow.");
        });
        config.AddCommand<AnalyzeCommand>("analyze").WithDescription("Run one analysis against Prometheus and print its measurements.");
        config.AddBranch<ComposeSettings>("compose", compose =>
        {
            compose.SetDescription("Per-node compose documents, applied through the Docker Engine API.");
            compose.AddCommand<ComposeRenderCommand>("render").WithDescription("Print the node's compose document.");
            compose.AddCommand<ComposeDiffCommand>("diff").WithDescription("Show what apply would change, per container.");
            compose.AddCommand<ComposeApplyCommand>("apply").WithDescription("Converge the node's Docker Engine to its document.");
            compose.AddCommand<ComposeHistoryCommand>("history").WithDescription("List the revisions applied to the node.");
            compose.AddCommand<ComposeUndoCommand>("undo").WithDescription("Return the node to the revision before the last apply.");
        });
        config.AddBranch<GlobalSettings>("envoy", envoy =>
        {
            envoy.SetDescription("Envoy sidecars.");
            envoy.AddCommand<EnvoyBootstrapCommand>("bootstrap").WithDescription("Print an Envoy bootstrap that takes everything over ADS.");
        });
        config.AddCommand<CompletionCommand>("completion").WithDescription("Print a shell completion script: source <(lightmesh completion bash).");
    }

    /// <summary>The exit code of a failure the CLI reports itself; null for one it lets through.</summary>
    private static int? ExitCodeOf(Exception e) => e switch
    {
        CommandAppException or InvalidInputException => ExitCodes.InvalidInput,
        ConflictException => ExitCodes.Conflict,
        ServerUnreachableException => ExitCodes.Unreachable,
        LightMeshException => ExitCodes.Failed,
        _ => null,
    };
}
