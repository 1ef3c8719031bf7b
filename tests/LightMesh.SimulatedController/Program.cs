using System.Runtime.InteropServices;
using LightMesh.Core.Mesh;
using LightMesh.Deployer.Engine;
using LightMesh.Etcd;
using LightMesh.Host;
using LightMesh.Host.Security;
using LightMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using LightMesh.Releases;

// `lightmesh server` with its nodes' container engines simulated in etcd (SimulatedNodeEngine), and engine timings
// short enough for a test: for tests that run many releases and kill controllers as a crash would.
// Arguments: --etcd URL --prefix PREFIX --simulation PREFIX --name NAME --listen URL --xds-listen IP:PORT
// --prometheus URL --token-sha256 HEX. It runs until killed, or until SIGTERM.
var flags = args.Chunk(2).ToDictionary(pair => pair[0].TrimStart('-'), pair => pair[1], StringComparer.Ordinal);
using var stop = new CancellationTokenSource();
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

var options = new ControllerOptions
{
    Listen = flags["listen"],
    XdsListen = flags["xds-listen"],
    AllowAnonymousProxies = true,
    Engine = new ReleaseEngineOptions
    {
        Candidate = flags["name"], Prometheus = new Uri(flags["prometheus"]),
        LeaseTtl = TimeSpan.FromSeconds(2), PollInterval = TimeSpan.FromMilliseconds(100), DrainDelay = TimeSpan.FromMilliseconds(300),
        ConvergenceTimeout = TimeSpan.FromSeconds(5), DeployTimeout = TimeSpan.FromSeconds(15), BackgroundInterval = TimeSpan.FromMilliseconds(500),
        RecheckInterval = TimeSpan.FromSeconds(2), RetryDelay = TimeSpan.FromMilliseconds(300), MaxRetryDelay = TimeSpan.FromSeconds(2),
        ScheduleInterval = TimeSpan.FromMilliseconds(500), GroupInterval = TimeSpan.FromMilliseconds(500), PhaseCountInterval = TimeSpan.FromSeconds(1),
    },
    Settings = new Dictionary<string, string?>
    {
        ["LightMesh:Auth:Tokens:0:Name"] = "test",
        ["LightMesh:Auth:Tokens:0:Role"] = Roles.Admin,
        ["LightMesh:Auth:Tokens:0:Sha256"] = flags["token-sha256"],
    },
};
var simulation = flags["simulation"];
await using var server = await ControllerServer.StartAsync(
    new EtcdOptions { Endpoints = flags["etcd"], Prefix = flags["prefix"] },
    options,
    logging => logging.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    }).SetMinimumLevel(LogLevel.Warning).AddFilter("LightMesh", LogLevel.Information).AddFilter("WorkflowCore", LogLevel.Information),
    services => services.Replace(ServiceDescriptor.Singleton<Func<MeshNode, INodeEngine>>(sp => node => new SimulatedNodeEngine(sp.GetRequiredService<EtcdConnection>(), simulation, node))),
    stop.Token);
await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
