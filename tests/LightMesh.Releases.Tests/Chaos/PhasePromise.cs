using LightMesh.Core.Documents;
using LightMesh.Core.Mesh;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Routing;

namespace LightMesh.Releases.Tests.Chaos;

/// <summary>
/// What an ended release's phase promises, checked against etcd and what the nodes run: Succeeded, that the new
/// version is the stable subset, <c>deploy.versions.stable</c> and every container of the service, with all traffic;
/// RolledBack, Aborted or Failed, the same of the old version; no canary left, nor any route or session cookie of the
/// release's own; no transition recorded twice. An ended group release promises the same of all its members at once:
/// Succeeded, every member's new version; RolledBack, every member's version from before the group.
/// </summary>
public static class PhasePromise
{
    /// <summary>Every way <paramref name="release"/>'s phase is not what the mesh shows; none when the promise holds.</summary>
    public static async Task<IReadOnlyList<string>> BrokenAsync(SimulatedMesh mesh, ReleaseState release)
    {
        var stable = release.Phase == ReleasePhase.Succeeded ? release.Version : release.StableVersion;

        // A release that ended before its first weight step never wrote route rules: with none, every instance of the
        // service takes traffic, and the containers say which those are.
        var broken = (await StableAsync(mesh, release.Service, stable, mayBeUnrouted: release.Phase != ReleasePhase.Succeeded)).ToList();

        // A transition (a step done, the promotion or rollback begun, the end) happens once in a release's life.
        var twice = release.Events
            .Where(e => e.Action.EndsWith(" done", StringComparison.Ordinal) || e.Action is "promoting" or "rolling back" or "succeeded" or "rolled back" or "aborted" or "failed")
            .GroupBy(e => (e.Action, e.Step))
            .Where(g => g.Count() > 1)
            .Select(g => $"\"{g.Key.Action}\" at step {g.Key.Step} recorded {g.Count()} times");
        broken.AddRange(twice);
        return broken;
    }

    /// <summary>
    /// Every way <paramref name="name"/> is not stable on <paramref name="stable"/> with all its traffic and nothing of a
    /// release left; with <paramref name="mayBeUnrouted"/>, no route rules at all is as good as all traffic to it.
    /// </summary>
    public static async Task<IReadOnlyList<string>> StableAsync(SimulatedMesh mesh, string name, string stable, bool mayBeUnrouted)
    {
        var broken = new List<string>();
        var service = (MeshService?)await mesh.DocumentAsync(DocumentKind.Service, name);
        if (service?.Spec.Deploy?.StableVersion != stable)
        {
            broken.Add($"deploy.versions.stable is {service?.Spec.Deploy?.StableVersion}, not {stable}");
        }

        var rule = (DestinationRule?)await mesh.DocumentAsync(DocumentKind.DestinationRule, name);
        var routes = (VirtualService?)await mesh.DocumentAsync(DocumentKind.VirtualService, name);
        var neverRouted = rule is null && routes is null && mayBeUnrouted;
        var subset = rule?.Spec.Subsets.FirstOrDefault(s => s.Name == ReleaseTraffic.StableSubset)?.Labels.GetValueOrDefault("version");
        if (subset != stable && !neverRouted)
        {
            broken.Add(rule is null ? $"no DestinationRule names {stable} stable" : $"the stable subset selects {subset}, not {stable}");
        }

        var weights = routes is null ? null : WeightChange.Current(routes, null);
        if (weights is not null && !weights.All(w => w.Weight == (w.Subset == ReleaseTraffic.StableSubset ? 100 : 0)))
        {
            broken.Add($"the routes send {string.Join(", ", weights.Select(w => $"{w.Subset} {w.Weight}%"))}, not stable 100%");
        }

        // No route of the release's own is left, nor the cookie a sticky canary's answers set.
        if (routes?.Spec.Http.FirstOrDefault(ReleaseTraffic.IsReleaseRoute) is { } left)
        {
            broken.Add($"the release's route {left.Name} is still there");
        }

        if (routes is not null && ReleaseTraffic.CanaryHeaders(routes) is not null)
        {
            broken.Add("the canary's answers still set the session cookie");
        }

        foreach (var node in SimulatedMesh.Nodes)
        {
            var containers = (await mesh.RunningAsync(node)).Where(c => c.Service == name).ToList();
            if (containers.Count != 1 || containers.Any(c => c.Version != stable || c.IsCanary))
            {
                broken.Add($"{node} runs {string.Join(", ", containers.Select(c => c.ComposeService))}, not one stable {stable}");
            }
        }

        return broken;
    }

    /// <summary>
    /// Every way <paramref name="group"/>'s phase is not what the mesh shows: Succeeded, every member's release succeeded
    /// and its new version is stable; RolledBack, every member is back on its version from before the group
    /// (<paramref name="before"/>): its release rolled back or never started, or its promotion was undone by a revert
    /// that succeeded. <paramref name="releases"/> holds the members' and reverts' releases by id.
    /// </summary>
    public static async Task<IReadOnlyList<string>> GroupBrokenAsync(
        SimulatedMesh mesh, ReleaseGroupState group, IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, ReleaseState> releases)
    {
        var broken = new List<string>();
        foreach (var member in group.Members)
        {
            var release = member.ReleaseId is { } id ? releases.GetValueOrDefault(id) : null;
            var revert = member.RevertId is { } revertId ? releases.GetValueOrDefault(revertId) : null;
            if (new[] { release, revert }.FirstOrDefault(r => r is { IsFinished: false }) is { } running)
            {
                broken.Add($"{member.Service}: release {running.Id} is still {running.Phase}");
            }

            var stable = group.Phase == GroupPhase.Succeeded ? member.Version : before[member.Service];
            if (group.Phase == GroupPhase.Succeeded && release?.Phase != ReleasePhase.Succeeded)
            {
                broken.Add($"{member.Service}: the group succeeded, but its release {member.ReleaseId ?? "never started"}{(release is null ? "" : $" is {release.Phase}")}");
            }

            if (group.Phase == GroupPhase.RolledBack && release?.Phase == ReleasePhase.Succeeded && revert?.Phase != ReleasePhase.Succeeded)
            {
                broken.Add($"{member.Service}: the group rolled back, but {member.Version} was promoted and {(revert is null ? "no revert was made" : $"its revert {revert.Id} is {revert.Phase}")}");
            }

            var undone = group.Phase == GroupPhase.RolledBack && release?.Phase != ReleasePhase.Succeeded;
            broken.AddRange((await StableAsync(mesh, member.Service, stable, mayBeUnrouted: undone)).Select(b => $"{member.Service}: {b}"));
        }

        return broken;
    }
}
