using LightMesh.Client;
using LightMesh.Core;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Demo;

/// <summary>
/// The release part of <c>lightmesh demo --group</c>: starts one group release through the API and tells it until it
/// ends, its log and every member's release (and revert) as the narrator's lines, and the traffic to each member's
/// service every few seconds. A group that pauses (an inconclusive analysis) or runs too long is aborted, as the
/// single-release demo does.
/// </summary>
public sealed class GroupDemo(ReleaseClient releases, IReadOnlyDictionary<string, DemoTraffic> traffic, ReleaseNarrator narrator, TextWriter output, TimeProvider time)
{
    private static readonly TimeSpan ReadEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan TrafficEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan GroupTimeout = TimeSpan.FromMinutes(12);
    private static readonly TimeSpan PausedTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts a group release of <paramref name="workflow"/> with <paramref name="versions"/>; answers it as it ended, with every release it made.</summary>
    public async Task<GroupRun> RunAsync(string workflow, IReadOnlyDictionary<string, string> versions, string actor, CancellationToken cancellationToken)
    {
        var started = await releases.StartGroupAsync(new GroupStartBody(workflow, versions.ToDictionary(), actor), cancellationToken);
        var group = started.Value
            ?? throw new LightMeshException($"the controller refused to start group {workflow}: {string.Join("; ", started.Errors)}");
        var views = new Dictionary<string, ReleaseView>(StringComparer.Ordinal);
        var since = time.GetUtcNow();
        var trafficDue = since + TrafficEvery;
        DateTimeOffset? pausedSince = null;
        while (true)
        {
            await ReadReleasesAsync(group, views, cancellationToken);
            foreach (var line in views.Values.OrderBy(v => v.StartedAt).SelectMany(narrator.Tell).Concat(narrator.Tell(group)))
            {
                output.WriteLine(line);
            }

            var now = time.GetUtcNow();
            if (group.Phase is GroupPhase.Succeeded or GroupPhase.RolledBack)
            {
                TellTraffic(group, views, now);
                return new GroupRun(group, views);
            }

            if (now >= trafficDue)
            {
                TellTraffic(group, views, now);
                trafficDue = now + TrafficEvery;
            }

            var paused = group.PausedBy is not null || views.Values.Any(v => v.Phase == ReleasePhase.Paused);
            pausedSince = paused ? pausedSince ?? now : null;
            if (now - since > GroupTimeout || now - pausedSince > PausedTimeout)
            {
                await releases.ActOnGroupAsync(group.Id, "abort", actor, cancellationToken);
                throw new LightMeshException(
                    $"group {group.Id} had not ended after {(now - since).TotalSeconds:0} s ({group.Phase}; {string.Join(", ", views.Values.Select(v => $"{v.Id} {v.Phase}{(v.PausedBecause is { } why ? $": {why}" : "")}"))}); the demo aborted it");
            }

            await Task.Delay(ReadEvery, time, cancellationToken);
            var read = await releases.GetGroupAsync(group.Id, cancellationToken);
            group = read.Value ?? throw new LightMeshException($"group {group.Id} could not be read: {string.Join("; ", read.Errors)}");
        }
    }

    /// <summary>
    /// Reads each release of <paramref name="group"/> (members' and reverts') that is new or has not ended yet. A group
    /// records a release's id before it starts it: one the group's view shows no phase for is not there yet.
    /// </summary>
    private async Task ReadReleasesAsync(GroupView group, Dictionary<string, ReleaseView> views, CancellationToken cancellationToken)
    {
        var started = group.Members.SelectMany(m => new[] { (Id: m.Release, Phase: m.Phase), (Id: m.Revert, Phase: m.RevertPhase) })
            .Where(r => r is { Id: not null, Phase: not null })
            .Select(r => r.Id!);
        foreach (var id in started)
        {
            if (views.TryGetValue(id, out var known) && known.Phase is not (ReleasePhase.Progressing or ReleasePhase.Paused))
            {
                continue;
            }

            var read = await releases.GetAsync(id, cancellationToken);
            views[id] = read.Value ?? throw new LightMeshException($"release {id} of group {group.Id} could not be read: {string.Join("; ", read.Errors)}");
        }
    }

    /// <summary>A traffic line per member's service: how its calls went, beside the weights of its release running now, if any.</summary>
    private void TellTraffic(GroupView group, Dictionary<string, ReleaseView> views, DateTimeOffset now)
    {
        foreach (var member in group.Members)
        {
            var running = new[] { member.Revert, member.Release }.OfType<string>()
                .Select(id => views.GetValueOrDefault(id))
                .FirstOrDefault(v => v?.Phase is ReleasePhase.Progressing or ReleasePhase.Paused);
            output.WriteLine(narrator.Traffic(now, running, traffic[member.Service].Take(), member.Service));
        }
    }
}

/// <summary>A group release as it ended, and every release it made (members' and reverts'), by id.</summary>
public sealed record GroupRun(GroupView Group, IReadOnlyDictionary<string, ReleaseView> Releases)
{
    /// <summary>The release of <paramref name="member"/>'s new version, if it started.</summary>
    public ReleaseView? ReleaseOf(GroupMemberView member) => member.Release is { } id ? Releases.GetValueOrDefault(id) : null;

    /// <summary>The release that returned <paramref name="member"/> to its old version, if one was made.</summary>
    public ReleaseView? RevertOf(GroupMemberView member) => member.Revert is { } id ? Releases.GetValueOrDefault(id) : null;
}
