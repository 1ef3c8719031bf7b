using LightMesh.Cli;
using LightMesh.Cli.Output;
using Spectre.Console.Cli;

namespace LightMesh.Bench;

/// <summary>The benchmarks' verbs (see docs/benchmarks.md), run the way the CLI runs its own: same options, errors and exit codes.</summary>
public static class BenchApp
{
    public static void Configure(IConfigurator config)
    {
        config.SetApplicationName("lightmesh-bench");
        config.SetApplicationVersion(LightMeshApp.Version);
        config.SetHelpProvider(new LightMeshHelp(config.Settings));
        config.UseStrictParsing();
        config.PropagateExceptions();
        config.AddCommand<BenchXdsCommand>("xds").WithDescription("Time etcd write -> last proxy ACK with N proxies and M services.");
        config.AddCommand<BenchHooksCommand>("hooks").WithDescription("Send signed webhook deliveries at a fixed rate, some of them again; check each started exactly one release.");
        config.AddCommand<BenchConsoleCommand>("console").WithDescription("Measure what open consoles cost a controller: its CPU with N releases running, without and with C consoles following them.");
        config.AddCommand<BenchIdleCommand>("idle").WithDescription("Measure what the console costs a controller nobody is looking at: idle controllers without and with it.");
        config.AddCommand<BenchRollbackCommand>("rollback").WithDescription("Time a rollback inside the rollback window: command -> last proxy ACK of stable 100%, beside one convergence.");
        config.AddCommand<BenchTranslateCommand>("translate").WithDescription("Time the control plane's translation at each push, in process: N services, one service's routes changed per push.");
        config.AddCommand<BenchReleasesCommand>("releases").WithDescription("Time N concurrent releases of quick steps on one controller: step overhead, memory per release.");
    }
}
