using System.Globalization;
using System.Runtime.Versioning;
using Docker.DotNet;
using LightMesh.Client;
using LightMesh.Core.Releases;
using LightMesh.Core.Security;
using LightMesh.Core;
using LightMesh.Deployer;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd;
using LightMesh.Host.Api;
using LightMesh.Host.OperatorConsole;
using LightMesh.Host.Security;
using LightMesh.Processes;
using LightMesh.Xds.Bootstrap;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.Demo;

/// <summary>
/// <c>lightmesh demo</c>: the whole product on this machine in one command. Starts etcd, a Docker Engine if none
/// answers, the controller and a Prometheus that finds instances through it; builds the demo service's image with no
/// registry; deploys v1 on this machine as a node; calls it steadily through the proxyless <c>xds:///</c> client; then
/// releases v2 (healthy, promoted) and v3 (failing half its calls, rolled back by its analysis) with the fast form of
/// <c>workflows/canary.yaml</c> (or, <c>--strategy blue-green</c>, of <c>blue-green.yaml</c>: the client then sends one
/// call in <see cref="PreviewEvery"/> with the preview's header, and the demo approves each preview as an operator
/// would), telling the timeline as it goes. With <c>--group</c> it runs the services of
/// <c>examples/group-shop.yaml</c> (payments, then checkout) instead and releases them as that one group
/// (<see cref="GroupDemo"/>): payments' v2 is promoted, checkout's v3 fails, and the group returns payments to v1.
/// Everything it started is stopped at the end, or at Ctrl-C; <c>--keep</c> leaves it running until Ctrl-C.
/// </summary>
public sealed class DemoRun(TextWriter output)
{
    private const string Actor = "lightmesh demo";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly string[] Executables = [Prerequisites.Etcd, Prerequisites.Prometheus, Prerequisites.Dockerd];

    /// <summary>With a blue-green release, one call in this many carries the preview's header: enough for its analysis.</summary>
    private const int PreviewEvery = 5;

    /// <summary>The group <c>--group</c> releases, as the repository's example has it.</summary>
    private const string GroupFile = "examples/group-shop.yaml";

    /// <summary>What <c>--group</c> releases: payments' healthy v2 first, then checkout's v3, which fails half its calls.</summary>
    private static readonly Dictionary<string, string> GroupVersions = new Dictionary<string, string>(StringComparer.Ordinal) { ["payments"] = "v2", ["checkout"] = "v3" };
    private const string GroupFailing = "checkout";

    /// <summary>Runs the demo; true when v2 was promoted and v3 rolled back, as they should be.</summary>
    public async Task<bool> RunAsync(DemoOptions settings, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new LightMeshException("the demo runs on Linux only: it builds a Linux image from this machine's .NET runtime");
        }

        var time = TimeProvider.System;
        var narrator = new ReleaseNarrator(time.GetUtcNow(), namesServices: settings.Group);
        var factor = settings.Fast ? 30 : 10;
        var root = RepositoryRoot.Find(Directory.GetCurrentDirectory());
        var run = settings.RunDirectory ?? Path.Combine(Path.GetTempPath(), $"lightmesh-demo-{time.GetUtcNow():yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(run);
        var what = settings.Group ? "a group release of payments then checkout" : settings.Strategy == DemoStrategy.BlueGreen ? "a blue-green release" : "a canary release";
        Say(narrator, time, $"LightMesh demo: {what}, start to end, on this machine (logs and data in {run})");

        await PrerequisiteInstaller.EnsureAsync(Executables, run, line => Say(narrator, time, line), cancellationToken);
        await using var etcd = await LocalEtcd.StartAsync(run, cancellationToken);
        Say(narrator, time, $"etcd         {etcd.Url}");
        await using var engine = await LocalDocker.StartAsync(run, cancellationToken);
        Say(narrator, time, $"Docker       {engine.Endpoint}{(engine.StartedByUs ? " (started for the demo)" : "")}");
        using var docker = new DockerClientConfiguration(engine.Endpoint, defaultTimeout: TimeSpan.FromSeconds(60)).CreateClient();
        await DemoContainers.RemoveAsync(docker, DemoDocuments.Node, CancellationToken.None);
        try
        {
            return await RunAsync(settings, root, run, factor, etcd, engine, docker, narrator, time, cancellationToken);
        }
        finally
        {
            await DemoContainers.RemoveAsync(docker, DemoDocuments.Node, CancellationToken.None);
        }
    }

    [SupportedOSPlatform("linux")]
    private async Task<bool> RunAsync(
        DemoOptions settings, string root, string run, int factor, LocalEtcd etcd, LocalDocker engine, DockerClient docker, ReleaseNarrator narrator, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var image = await new DemoImage(docker, time).BuildAsync(
            new DemoImageRequest(root, [new DemoImageTag("v1"), new DemoImageTag("v2"), new DemoImageTag("v3") { Environment = new Dictionary<string, string> { ["ERROR_RATE"] = "0.5" } }]),
            new Progress<string>(line => Say(narrator, time, $"  {line}")),
            cancellationToken);
        Say(narrator, time, $"image        {image.Describe()}; v3 fails half its calls (ERROR_RATE=0.5)");

        var etcdOptions = new EtcdOptions { Endpoints = etcd.Endpoint };
        using var store = new EtcdConnection(etcdOptions, time);
        var group = settings.Group
            ? DemoDocuments.Group(await File.ReadAllTextAsync(Path.Combine(root, GroupFile), cancellationToken), GroupFile, DemoDocuments.Workflow(settings.Strategy).Name)
            : null;
        IReadOnlyList<string> services = group is null ? [DemoDocuments.Service] : [.. group.Spec.Members.Select(m => m.Service)];

        // The n-th service listens on PORT+n and its canary 100 higher (DemoDocuments.Mesh): all must be free.
        var port = LoopbackPort.FreeRun(services.Count, 100);
        var proxyToken = TokenHash.NewToken();
        await new DocumentStore(store).ApplyYamlAsync(DemoDocuments.Mesh(services, port, DemoImageRequest.DefaultRepository, engine.Endpoint.ToString(), proxyToken), "the demo's mesh", cancellationToken);
        var (file, workflowName) = DemoDocuments.Workflow(settings.Strategy);
        var workflow = DemoDocuments.FastWorkflow(
            await File.ReadAllTextAsync(Path.Combine(root, "workflows", file), cancellationToken),
            $"workflows/{file}",
            workflowName,
            await File.ReadAllTextAsync(Path.Combine(root, "workflows", "analysis", "demo.yaml"), cancellationToken),
            factor);
        var workflowFile = Path.Combine(run, $"{workflowName}.yaml");
        await File.WriteAllTextAsync(workflowFile, workflow, cancellationToken);
        await new DocumentStore(store).ApplyYamlAsync(workflow, $"workflows/{file} divided by {factor}", cancellationToken);
        Say(narrator, time, $"workflow     {workflowName}: workflows/{file} with every duration divided by {factor}, judged by the demo's own metrics (workflows/analysis/demo.yaml); see {workflowFile}");
        if (group is not null)
        {
            var groupYaml = DemoDocuments.Yaml(group);
            var groupFile = Path.Combine(run, $"{group.Metadata.Name}.yaml");
            await File.WriteAllTextAsync(groupFile, groupYaml, cancellationToken);
            await new DocumentStore(store).ApplyYamlAsync(groupYaml, $"{GroupFile} with {workflowName}", cancellationToken);
            Say(narrator, time, $"group        {group.Metadata.Name}: {GroupFile}, every member released with {workflowName}: {string.Join(", then ", services)}, gate {group.Spec.EffectiveGate.Text}; see {groupFile}");
        }

        var prometheusPort = LoopbackPort.Free();
        var token = TokenHash.NewToken();
        await using var controller = await LocalController.StartAsync(
            new LocalControllerOptions
            {
                Etcd = etcdOptions.Endpoints,
                Prefix = etcdOptions.Prefix,
                Name = "demo",
                Flags = ["--prometheus", $"http://127.0.0.1:{prometheusPort}/", "--drain-delay", "2s", "--background-interval", settings.Fast ? "2s" : "5s", "--poll-interval", "250ms"],
                Environment = ControllerTokens.Environment(("demo", Roles.Operator, token)),
                Ready = ControllerReadiness.Leads,
                Token = token,
                LogFile = Path.Combine(run, "controller.log"),
                TimestampLog = true,
            },
            cancellationToken);
        Say(narrator, time, $"controller   {controller.Api} (xDS on 127.0.0.1:{controller.XdsPort})");
        await using var prometheus = await LocalPrometheus.StartAsync(
            new LocalPrometheusOptions
            {
                Port = prometheusPort,
                DiscoveryUrl = new Uri(controller.Api, "api/v1/sd/prometheus"),
                DiscoveryToken = token,
                DiscoveryRefreshInterval = TimeSpan.FromSeconds(1),
                ControllerMetricsUrl = new Uri(controller.Api, "metrics"),
                ScrapeInterval = TimeSpan.FromMilliseconds(500),
                EvaluationInterval = TimeSpan.FromSeconds(1),
            },
            run,
            cancellationToken);
        Say(narrator, time, $"Prometheus   {prometheus.Url} (finds instances through the controller)");

        await DeployStableAsync(store, services, controller.XdsPort, narrator, time, cancellationToken);
        var previewEvery = settings.Strategy == DemoStrategy.BlueGreen ? PreviewEvery : 0;
        var traffic = new Dictionary<string, DemoTraffic>(StringComparer.Ordinal);
        try
        {
            foreach (var (service, n) in services.Select((service, n) => (service, n)))
            {
                var client = services.Count == 1 ? "lightmesh-demo-client" : $"lightmesh-demo-client-{service}";
                traffic[service] = DemoTraffic.Start($"xds:///{service}:{port + n}", Bootstraps.Grpc(client, "127.0.0.1", controller.XdsPort, proxyToken), settings.Calls, time, previewEvery);
            }

            if (previewEvery > 0)
            {
                Say(narrator, time, $"preview      one call in {previewEvery} carries {ReleaseStrategies.PreviewHeader}: true, as a tester's would; a blue-green release's preview takes those, and no other");
            }

            foreach (var (service, calls) in traffic)
            {
                await WaitForTrafficAsync(calls, group is null ? null : service, narrator, time, cancellationToken);
            }

            using var releases = new ReleaseClient(controller.Api, TimeSpan.FromSeconds(30), token);
            var (summary, asExpected, page) = group is null
                ? await ReleaseVersionsAsync(releases, workflowName, traffic[DemoDocuments.Service], narrator, time, settings.Strategy, cancellationToken)
                : await ReleaseGroupAsync(releases, group.Metadata.Name, traffic, narrator, time, cancellationToken);
            output.WriteLine("");
            output.WriteLine("Summary");
            foreach (var line in summary)
            {
                output.WriteLine($"  {line}");
            }

            await TellWhereAsync(settings, run, controller, prometheus, token, page, cancellationToken);
            return asExpected;
        }
        finally
        {
            foreach (var calls in traffic.Values)
            {
                await calls.DisposeAsync();
            }
        }
    }

    /// <summary>Releases v2 (healthy) then v3 (failing) of the demo service, one after the other; the summary and whether both ended as they should.</summary>
    private async Task<(IReadOnlyList<string> Summary, bool AsExpected, string Page)> ReleaseVersionsAsync(
        ReleaseClient releases, string workflowName, DemoTraffic traffic, ReleaseNarrator narrator, TimeProvider time, DemoStrategy strategy, CancellationToken cancellationToken)
    {
        Say(narrator, time, "releasing v2 (healthy)");
        var healthy = await ReleaseAsync(releases, "v2", workflowName, traffic, narrator, time, cancellationToken);
        Say(narrator, time, "releasing v3 (fails half its calls)");
        var failing = await ReleaseAsync(releases, "v3", workflowName, traffic, narrator, time, cancellationToken);
        return (DemoSummary.Lines(healthy, failing, traffic.Seen("v3"), narrator, strategy), DemoSummary.AsExpected(healthy, failing), "console/");
    }

    /// <summary>Releases <see cref="GroupVersions"/> as one group release of <paramref name="workflow"/>; the summary and whether the group rolled back as it should.</summary>
    private async Task<(IReadOnlyList<string> Summary, bool AsExpected, string Page)> ReleaseGroupAsync(
        ReleaseClient releases, string workflow, Dictionary<string, DemoTraffic> traffic, ReleaseNarrator narrator, TimeProvider time, CancellationToken cancellationToken)
    {
        Say(narrator, time, $"releasing group {workflow}: {string.Join(", ", GroupVersions.Select(v => $"{v.Key} {v.Value}"))} ({GroupFailing} {GroupVersions[GroupFailing]} fails half its calls)");
        var ended = await new GroupDemo(releases, traffic, narrator, output, time).RunAsync(workflow, GroupVersions, Actor, cancellationToken);
        return (
            DemoSummary.Lines(ended, GroupFailing, traffic[GroupFailing].Seen(GroupVersions[GroupFailing]), narrator),
            DemoSummary.AsExpected(ended, GroupFailing),
            $"console/groups/{Uri.EscapeDataString(ended.Group.Id)}");
    }

    /// <summary>
    /// Where to look around: the API, the console (at <paramref name="page"/>: the releases, or the group), metrics,
    /// Prometheus and logs; with <c>--keep</c>, a sign-in link, then waits for Ctrl-C.
    /// </summary>
    private async Task TellWhereAsync(DemoOptions settings, string run, LocalController controller, LocalPrometheus prometheus, string token, string page, CancellationToken cancellationToken)
    {
        var tokenFile = TokenFile.Write(Path.Combine(run, "token"), token);
        output.WriteLine($"  API          {new Uri(controller.Api, "api/v1/releases")} (bearer token in {tokenFile})");
        output.WriteLine($"  console      {new Uri(controller.Api, page)} (sign in with the token in {tokenFile})");
        output.WriteLine($"  metrics      {new Uri(controller.Api, "metrics")}");
        output.WriteLine($"  Prometheus   {prometheus.Url}");
        output.WriteLine($"  logs         {run}");
        if (settings.Keep)
        {
            // A link that signs a browser in as the demo's operator once, so trying the console needs no token pasted.
            using var api = new ControllerClient(controller.Api, TimeSpan.FromSeconds(30), token);
            var link = await api.SendAsync<ConsoleLinkView>(HttpMethod.Post, ConsoleEndpoints.LinksApi.TrimStart('/'), null, cancellationToken);
            output.WriteLine(link.Value is { } made
                ? $"  sign-in link {made.Url} (signs one browser in, until {made.ExpiresAt.ToLocalTime():HH:mm:ss})"
                : $"  sign-in link not made: {string.Join("; ", link.Errors)}");
            output.WriteLine("");
            output.WriteLine("Everything keeps running until Ctrl-C. Try:");
            output.WriteLine($"  export LIGHTMESH_SERVER={controller.Api.ToString().TrimEnd('/')} LIGHTMESH_TOKEN=$(cat {Path.Combine(run, "token")})");
            output.WriteLine("  ./lightmesh release list");
            await WaitForCtrlCAsync(cancellationToken);
        }
    }

    /// <summary>Writes this machine as the node's compose document and applies it: v1 of each of <paramref name="services"/> runs; then waits for each to register.</summary>
    private async Task DeployStableAsync(EtcdConnection store, IReadOnlyList<string> services, int xdsPort, ReleaseNarrator narrator, TimeProvider time, CancellationToken cancellationToken)
    {
        var options = new DeployerOptions { EtcdEndpoints = store.Options.Endpoints, Xds = [("127.0.0.1", xdsPort)] };
        var deployer = NodeDeployer.ForDocker(store, time, options);
        var result = await deployer.ApplyAsync(DemoDocuments.Node, [], new Progress<string>(line => Say(narrator, time, $"  {line}")), cancellationToken);
        if (result.Outcome is not (DeployOutcome.Applied or DeployOutcome.Unchanged))
        {
            throw new LightMeshException($"deploying v1 on node {DemoDocuments.Node} failed: {string.Join("; ", result.Errors)}");
        }

        var registry = new InstanceRegistry(store, time, NullLogger<InstanceRegistry>.Instance);
        var deadline = time.GetUtcNow() + StartTimeout;
        foreach (var service in services)
        {
            while ((await registry.ListAsync(service, cancellationToken)).Count == 0)
            {
                if (time.GetUtcNow() > deadline)
                {
                    throw new LightMeshException($"{service} v1 did not register within {StartTimeout.TotalSeconds} s; see docker logs {service}-v1-1");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }
        }

        Say(narrator, time, $"v1           {string.Join(" and ", services)} running on node {DemoDocuments.Node} and registered");
    }

    /// <summary>Waits until the proxyless client has its routes and v1 answers it; <paramref name="service"/> names which, when the demo calls several.</summary>
    private async Task WaitForTrafficAsync(DemoTraffic traffic, string? service, ReleaseNarrator narrator, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + StartTimeout;
        var to = service is null ? "" : $" to {service}";
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            var window = traffic.Take();
            if (window.Versions.TryGetValue("v1", out var v1) && v1.Answered > 0)
            {
                Say(narrator, time, $"traffic      the client follows the control plane's routes: every call{to} to v1, the stable version");
                output.WriteLine(narrator.Traffic(time.GetUtcNow(), null, window, service));
                return;
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new LightMeshException($"no call{to} reached v1 through xds:/// within {StartTimeout.TotalSeconds} s: {window.LastFailure ?? "no answer"}");
            }
        }
    }

    private async Task WaitForCtrlCAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("stopping everything the demo started");
        }
    }

    private void Say(ReleaseNarrator narrator, TimeProvider time, string text) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{narrator.Clock(time.GetUtcNow())}  {text}"));

    // The demo's releases: start one through the API, and tell its timeline until it ends.

    private static readonly TimeSpan ReadEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan TrafficEvery = TimeSpan.FromSeconds(5);

    /// <summary>However the release goes, the demo gives up on it after this long (it aborts it).</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A release that pauses (an inconclusive analysis: canary.yaml says pause) waits for an operator; the demo has none,
    /// so after this long it aborts it and says why.
    /// </summary>
    private static readonly TimeSpan PausedTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Releases <paramref name="version"/> of the demo service with the fast <paramref name="workflow"/> and tells it until
    /// it ends. At an approval step (blue-green's, once the preview runs) the demo approves once the preview has answered
    /// calls for <see cref="FastForm.MinimumPause"/>, as an operator would: the analysis that follows still judges the
    /// preview before anything switches.
    /// </summary>
    private async Task<ReleaseView> ReleaseAsync(
        ReleaseClient releases, string version, string workflow, DemoTraffic traffic, ReleaseNarrator narrator, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = await releases.StartAsync(
            new StartBody(DemoDocuments.Service, version, workflow, null, null, Actor, null), cancellationToken);
        var release = started.Value
            ?? throw new LightMeshException($"the controller refused to release {version}: {string.Join("; ", started.Errors)}");
        var since = time.GetUtcNow();
        var trafficDue = since + TrafficEvery; // the window was just read; a shorter one says little
        DateTimeOffset? pausedSince = null;
        while (true)
        {
            foreach (var line in narrator.Tell(release))
            {
                output.WriteLine(line);
            }

            if (release.Phase is not (ReleasePhase.Progressing or ReleasePhase.Paused))
            {
                output.WriteLine(narrator.Traffic(time.GetUtcNow(), null, traffic.Take()));
                return release;
            }

            var now = time.GetUtcNow();
            if (now >= trafficDue)
            {
                output.WriteLine(narrator.Traffic(now, release, traffic.Take()));
                trafficDue = now + TrafficEvery;
            }

            // Approved once the preview has answered calls for a while, as an operator who tried it would: by then
            // Prometheus has found it and scraped it, so the analysis after the approval has data to judge.
            if (release is { Phase: ReleasePhase.Paused, StepType: "approval" } && traffic.Seen(version) is { } seen && now - seen.First >= FastForm.MinimumPause)
            {
                var approved = await releases.ActAsync(release.Id, "approve", Actor, cancellationToken);
                release = approved.Value ?? throw new LightMeshException($"approving {release.Id} failed: {string.Join("; ", approved.Errors)}");
                continue;
            }

            pausedSince = release.Phase == ReleasePhase.Paused ? pausedSince ?? now : null;
            if (now - since > ReleaseTimeout || now - pausedSince > PausedTimeout)
            {
                await releases.ActAsync(release.Id, "abort", Actor, cancellationToken);
                throw new LightMeshException(
                    $"release {release.Id} had not ended after {(now - since).TotalSeconds:0} s ({release.Phase} at step {release.Step}{(release.PausedBecause is { } why ? $": {why}" : "")}); the demo aborted it");
            }

            await Task.Delay(ReadEvery, time, cancellationToken);
            var read = await releases.GetAsync(release.Id, cancellationToken);
            release = read.Value ?? throw new LightMeshException($"release {release.Id} could not be read: {string.Join("; ", read.Errors)}");
        }
    }
}
