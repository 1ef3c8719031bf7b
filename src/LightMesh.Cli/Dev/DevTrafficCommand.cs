using System.ComponentModel;
using System.Globalization;
using LightMesh.Cli.Demo;
using LightMesh.Cli.Local;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Validation;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Xds.Bootstrap;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary>
/// <c>lightmesh dev traffic SERVICE</c>: steady calls to a service through the mesh's proxyless <c>xds:///</c> client,
/// routed per call by the control plane, so the weights a release writes shape them. In the background until
/// <c>dev down</c>, saying every few seconds which versions answered; <c>--foreground</c> says it here, until Ctrl-C.
/// </summary>
public sealed class DevTrafficCommand : AsyncCommand<DevTrafficCommand.Settings>
{
    public sealed class Settings : DevSettings
    {
        [CommandArgument(0, "<SERVICE>")]
        [Description("The Service to call (a stored Service document, speaking gRPC: the demo service's Echo)")]
        public string Service { get; init; } = "";

        [CommandOption("--calls <PER_SECOND>")]
        [Description("Calls a second. Default: 20")]
        public int Calls { get; init; } = 20;

        [CommandOption("--foreground")]
        [Description("Call from this terminal, printing what answered every few seconds, until Ctrl-C")]
        public bool Foreground { get; init; }

        public override ValidationResult Validate() =>
            Calls is < 1 or > 500 ? ValidationResult.Error($"--calls: {Calls} must be between 1 and 500") : base.Validate();
    }

    /// <summary>What the caller prints once its first call is answered; the background form waits for it in the log.</summary>
    public const string FirstAnswer = "first call answered";

    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var dir = settings.DevDirectory;
        var state = DevState.Require(dir);
        var target = $"xds:///{settings.Service}:{await PortOfAsync(state, settings.Service, cancellationToken)}";
        return settings.Foreground
            ? await CallAsync(state, settings, target, cancellationToken)
            : await StartInBackgroundAsync(dir, settings, target, cancellationToken);
    }

    private static async Task<int> StartInBackgroundAsync(string dir, Settings settings, string target, CancellationToken cancellationToken)
    {
        using var held = await DevLock.TakeAsync(dir, cancellationToken);
        var state = DevState.Require(dir);
        var name = $"traffic to {settings.Service}";
        if (state.RunsAlready(name) is { } running)
        {
            Printer.Error(running);
            return ExitCodes.Conflict;
        }

        var process = DetachedProcess.Start(
            name,
            SelfCommand.Host,
            SelfCommand.Arguments("dev", "traffic", settings.Service, "--calls", settings.Calls.ToString(CultureInfo.InvariantCulture), "--foreground", "--dir", dir),
            new Dictionary<string, string>(),
            Path.Combine(dir, $"traffic-{settings.Service}.log"));
        state.With(process).Write(dir);
        await DetachedProcess.WaitUntilReadyAsync(process, new Readiness(
            $"\"{FirstAnswer}\" in {process.Log}",
            async token => (await File.ReadAllTextAsync(process.Log, token)).Contains(FirstAnswer, StringComparison.Ordinal),
            AnswerTimeout), cancellationToken);
        Printer.Line($"calling {settings.Service} {settings.Calls} times a second through the mesh ({target}); what answers, every {ReportEvery.TotalSeconds:0} s: {process.Log}");
        return ExitCodes.Ok;
    }

    private static async Task<int> CallAsync(DevState state, Settings settings, string target, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var narrator = new ReleaseNarrator(time.GetUtcNow());
        await using var traffic = DemoTraffic.Start(target, Bootstraps.Grpc($"lightmesh-dev-traffic-{settings.Service}", HostPorts.ParseList(state.Xds)!), settings.Calls, time);
        Printer.Line($"calling {target} {settings.Calls} times a second, routed by the control plane at {state.Xds}");
        var answered = false;
        var waited = time.GetUtcNow();
        try
        {
            while (true)
            {
                await Task.Delay(answered ? ReportEvery : TimeSpan.FromMilliseconds(250), time, cancellationToken);
                if (!answered)
                {
                    if (traffic.HasAnswered)
                    {
                        answered = true;
                        Printer.Line($"{narrator.Clock(time.GetUtcNow())}  {FirstAnswer}");
                    }
                    else if (time.GetUtcNow() - waited > AnswerTimeout)
                    {
                        throw new LightMeshException($"no call to {target} was answered within {AnswerTimeout.TotalSeconds:0} s: {traffic.Take().LastFailure ?? "no answer"}; is an instance registered (dev run)?");
                    }

                    continue;
                }

                Printer.Line(narrator.Traffic(time.GetUtcNow(), null, traffic.Take()));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }

    private static async Task<int> PortOfAsync(DevState state, string service, CancellationToken cancellationToken)
    {
        using var etcd = new EtcdConnection(new EtcdOptions { Endpoints = state.Etcd }, TimeProvider.System);
        return await new DocumentStore(etcd).GetAsync(DocumentKind.Service, service, cancellationToken) is MeshService found
            ? found.Spec.Port
            : throw new InvalidInputException($"SERVICE: no Service \"{service}\" is stored; apply one first (examples/hello.yaml has one)");
    }
}
