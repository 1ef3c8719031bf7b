using System.Text.RegularExpressions;
using LightMesh.Cli.Commands.Release;
using LightMesh.Core;
using LightMesh.Etcd.Releases;

namespace LightMesh.Cli.Bench;

/// <summary>The checks after the run, from the controller's API: every delivery started exactly the release it was answered with.</summary>
public sealed partial class BenchHooksCommand
{
    private const int ExamplesKept = 5;

    // The webhook's actor names the delivery: "generic (delivery ID)".
    [GeneratedRegex(@"\(delivery (?<id>.+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex DeliveryOf();

    /// <summary>
    /// Lists every release once and matches it to the deliveries by the delivery id its actor names: each delivery
    /// answered 202 must name one release, the same on every answer, and that release must exist and be the only one
    /// started by that delivery; a delivery never answered 202 must have started none.
    /// </summary>
    private static async Task<HookChecks> CheckAsync(ReleaseClient api, IReadOnlyList<HookAnswer> answers, CancellationToken cancellationToken)
    {
        var listed = await api.ListAllAsync(new ReleaseListRequest(ReleaseQuery.MaxLimit), cancellationToken);
        var releases = listed.Value ?? throw new LightMeshException($"the release list could not be read: {string.Join("; ", listed.Errors)}");
        var ids = releases.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var byDelivery = releases
            .Select(r => (Release: r.Id, Match: DeliveryOf().Match(r.StartedBy)))
            .ToLookup(r => r.Match.Success ? r.Match.Groups["id"].Value : "", r => r.Release, StringComparer.Ordinal);
        var examples = new List<string>();
        var (lost, duplicated, unannounced) = (0, 0, 0);
        foreach (var delivery in answers.GroupBy(a => a.Delivery.Id, StringComparer.Ordinal))
        {
            var answered = delivery.Where(a => a.Status == 202 && a.Release is not null).Select(a => a.Release!).Distinct(StringComparer.Ordinal).ToList();
            var started = byDelivery[delivery.Key].ToList();
            if (answered.Count > 0 && !answered.All(ids.Contains))
            {
                lost++;
                Note(examples, $"delivery {delivery.Key}: answered with {string.Join(", ", answered)}, which the API does not have");
            }

            if (answered.Count > 1 || started.Count > 1 || answered.Count == 1 && started.Count == 1 && answered[0] != started[0])
            {
                duplicated++;
                Note(examples, $"delivery {delivery.Key}: answered with {string.Join(", ", answered)}; releases started by it: {string.Join(", ", started)}");
            }

            if (answered.Count == 0 && started.Count > 0)
            {
                unannounced++;
                Note(examples, $"delivery {delivery.Key}: never answered 202, yet started {string.Join(", ", started)}");
            }
        }

        // A release that names no delivery of this run was started by something else on the benchmark's prefix.
        var sentIds = answers.Select(a => a.Delivery.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var stray in byDelivery.Where(g => !sentIds.Contains(g.Key)).SelectMany(g => g))
        {
            unannounced++;
            Note(examples, $"release {stray}: no delivery of this run started it");
        }

        var phases = string.Join(", ", releases.GroupBy(r => r.Phase).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));
        return new HookChecks { Releases = releases.Count, Lost = lost, DuplicateReleases = duplicated, Unannounced = unannounced, Phases = phases, Examples = examples };
    }

    private static void Note(List<string> examples, string problem)
    {
        if (examples.Count < ExamplesKept)
        {
            examples.Add(problem);
        }
    }
}
