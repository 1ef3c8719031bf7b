using LightMesh.Cli.Commands.Release;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Cli.Demo;

/// <summary>The demo's releases: start one through the API, and tell its timeline until it ends.</summary>
public sealed partial class DemoCommand
{
    private static readonly TimeSpan ReadEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan TrafficEvery = TimeSpan.FromSeconds(5);

    /// <summary>However the release goes, the demo gives up on it after this long (it aborts it).</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A release that pauses (an inconclusive analysis: canary.yaml says pause) waits for an operator; the demo has none,
    /// so after this long it aborts it and says why.
    /// </summary>
    private static readonly TimeSpan PausedTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Releases <paramref name="version"/> of the demo service with the fast workflow and tells it until it ends.</summary>
    private static async Task<ReleaseView> ReleaseAsync(
        ReleaseClient releases, string version, DemoTraffic traffic, ReleaseNarrator narrator, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = await releases.StartAsync(
            new StartBody(DemoDocuments.Service, version, DemoDocuments.Workflow, null, null, Actor, null), cancellationToken);
        var release = started.Value
            ?? throw new LightMeshException($"the controller refused to release {version}: {string.Join("; ", started.Errors)}");
        var since = time.GetUtcNow();
        var trafficDue = since + TrafficEvery; // the window was just read; a shorter one says little
        DateTimeOffset? pausedSince = null;
        while (true)
        {
            foreach (var line in narrator.Tell(release))
            {
                Printer.Line(line);
            }

            if (release.Phase is not (ReleasePhase.Progressing or ReleasePhase.Paused))
            {
                Printer.Line(narrator.Traffic(time.GetUtcNow(), null, traffic.Take()));
                return release;
            }

            var now = time.GetUtcNow();
            if (now >= trafficDue)
            {
                Printer.Line(narrator.Traffic(now, release, traffic.Take()));
                trafficDue = now + TrafficEvery;
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
