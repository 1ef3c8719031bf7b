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
/// release's own; no transition recorded twice.
/// </summary>
public static class PhasePromise
{
    /// <summary>Every way <paramref name="release"/>'s phase is not what the mesh shows; none when the promise holds.</summary>
    public static async Task<IReadOnlyList<string>> BrokenAsync(SimulatedMesh mesh, ReleaseState release)
    {
        var broken = new List<string>();
        var stable = release.Phase == ReleasePhase.Succeeded ? release.Version : release.StableVersion;
        var service = (MeshService?)await mesh.DocumentAsync(DocumentKind.Service, release.Service);
        if (service?.Spec.Deploy?.StableVersion != stable)
        {
            broken.Add($"deploy.versions.stable is {service?.Spec.Deploy?.StableVersion}, not {stable}");
        }

        var rule = (DestinationRule?)await mesh.DocumentAsync(DocumentKind.DestinationRule, release.Service);
        var routes = (VirtualService?)await mesh.DocumentAsync(DocumentKind.VirtualService, release.Service);

        // A release that ended before its first weight step never wrote route rules: with none, every instance of the
        // service takes traffic, and the containers (checked below) say which those are.
        var neverRouted = rule is null && routes is null && release.Phase != ReleasePhase.Succeeded;
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
            var containers = (await mesh.RunningAsync(node)).Where(c => c.Service == release.Service).ToList();
            if (containers.Count != 1 || containers.Any(c => c.Version != stable || c.IsCanary))
            {
                broken.Add($"{node} runs {string.Join(", ", containers.Select(c => c.ComposeService))}, not one stable {stable}");
            }
        }

        // A transition (a step done, the promotion or rollback begun, the end) happens once in a release's life.
        var twice = release.Events
            .Where(e => e.Action.EndsWith(" done", StringComparison.Ordinal) || e.Action is "promoting" or "rolling back" or "succeeded" or "rolled back" or "aborted" or "failed")
            .GroupBy(e => (e.Action, e.Step))
            .Where(g => g.Count() > 1)
            .Select(g => $"\"{g.Key.Action}\" at step {g.Key.Step} recorded {g.Count()} times");
        broken.AddRange(twice);
        return broken;
    }
}
