using System.Globalization;
using LightMesh.Core;
using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Validation;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Processes;
using LightMesh.Xds.Bootstrap;

namespace LightMesh.Demo.Dev;

/// <summary>
/// <c>lightmesh dev traffic SERVICE</c>: steady calls to a service through the mesh's proxyless <c>xds:///</c> client,
/// routed per call by the control plane, so the weights a release writes shape them; every few seconds it says which
/// versions answered.
/// </summary>
public sealed class DevCaller(TextWriter output)
{
    /// <summary>What the caller prints once its first call is answered; the background form waits for it in the log.</summary>
    public const string FirstAnswer = "first call answered";

    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Calls <paramref name="service"/> <paramref name="calls"/> times a second: from here until cancelled when
    /// <paramref name="foreground"/>, else from a detached <c>dev traffic --foreground</c> that runs until <c>dev down</c>.
    /// </summary>
    public async Task CallAsync(string dir, string service, int calls, bool foreground, CancellationToken cancellationToken)
    {
        var state = DevState.Require(dir);
        var target = $"xds:///{service}:{await PortOfAsync(state, service, cancellationToken)}";
        if (foreground)
        {
            await CallHereAsync(state, service, calls, target, cancellationToken);
        }
        else
        {
            await StartInBackgroundAsync(dir, service, calls, target, cancellationToken);
        }
    }

    private async Task StartInBackgroundAsync(string dir, string service, int calls, string target, CancellationToken cancellationToken)
    {
        using var held = await DevLock.TakeAsync(dir, cancellationToken);
        var state = DevState.Require(dir);
        var name = $"traffic to {service}";
        if (state.RunsAlready(name) is { } running)
        {
            throw new ConflictException(running);
        }

        var process = DetachedProcess.Start(
            name,
            SelfCommand.Host,
            SelfCommand.Arguments("dev", "traffic", service, "--calls", calls.ToString(CultureInfo.InvariantCulture), "--foreground", "--dir", dir),
            new Dictionary<string, string>(),
            Path.Combine(dir, $"traffic-{service}.log"));
        state.With(process).Write(dir);
        await DetachedProcess.WaitUntilReadyAsync(process, new Readiness(
            $"\"{FirstAnswer}\" in {process.Log}",
            async token => (await File.ReadAllTextAsync(process.Log, token)).Contains(FirstAnswer, StringComparison.Ordinal),
            AnswerTimeout), cancellationToken);
        output.WriteLine($"calling {service} {calls} times a second through the mesh ({target}); what answers, every {ReportEvery.TotalSeconds:0} s: {process.Log}");
    }

    private async Task CallHereAsync(DevState state, string service, int calls, string target, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var narrator = new ReleaseNarrator(time.GetUtcNow());
        await using var traffic = DemoTraffic.Start(target, Bootstraps.Grpc($"lightmesh-dev-traffic-{service}", HostPorts.ParseList(state.Xds)!), calls, time);
        output.WriteLine($"calling {target} {calls} times a second, routed by the control plane at {state.Xds}");
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
                        output.WriteLine($"{narrator.Clock(time.GetUtcNow())}  {FirstAnswer}");
                    }
                    else if (time.GetUtcNow() - waited > AnswerTimeout)
                    {
                        throw new LightMeshException($"no call to {target} was answered within {AnswerTimeout.TotalSeconds:0} s: {traffic.Take().LastFailure ?? "no answer"}; is an instance registered (dev run)?");
                    }

                    continue;
                }

                output.WriteLine(narrator.Traffic(time.GetUtcNow(), null, traffic.Take()));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C ends the calls; that is how this form stops.
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
