using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// A button of a release's page: the action's path segment (as the API names it), and what pressing it does, in words,
/// shown before the operator confirms.
/// </summary>
public sealed record ConsoleAction(string Name, string Effect)
{
    public const string Retry = "retry";

    /// <summary>
    /// The actions that apply to <paramref name="release"/> now, each with its effect: exactly those the decider would
    /// accept (an operator action) or the release service would (retry of an ended release that did not succeed).
    /// </summary>
    public static IReadOnlyList<ConsoleAction> For(ReleaseState release, string actor, DateTimeOffset now)
    {
        var view = ReleaseView.Summary(release);
        var actions = ReleaseEndpoints.Actions
            .Where(a => ReleaseDecider.Decide(release, new OperatorInput(a.Value, actor), now).Refused is null)
            .Select(a => new ConsoleAction(a.Key, EffectOf(a.Value, view)))
            .ToList();
        if (release.IsFinished && release.Phase != ReleasePhase.Succeeded)
        {
            actions.Add(new ConsoleAction(Retry, $"starts {view.Service} {view.Version} again with workflow {view.Workflow} and the same arguments, as a new release"));
        }

        return actions;
    }

    /// <summary>What <paramref name="action"/> does to <paramref name="release"/>, named by its effect on traffic and instances.</summary>
    public static string EffectOf(OperatorAction action, ReleaseView release)
    {
        var step = $"step {ReleaseText.Step(release)}";
        var canary = release.Weights.Canary;
        return action switch
        {
            OperatorAction.Pause => $"holds the release at {step}; traffic stays stable {release.Weights.Stable}% / canary {canary}%",
            OperatorAction.Resume => $"goes on from {step}",
            OperatorAction.Abort => $"rolls back: canary {canary}% -> 0%, removes the {release.Version} containers it deployed; {release.StableVersion} stays stable",
            OperatorAction.Promote => $"ends {step} as if it had passed and goes on to the next step",
            OperatorAction.PromoteFull => $"skips every step left: canary {canary}% -> 100%, {release.Version} becomes stable and {release.StableVersion} is removed",
            OperatorAction.Approve => $"approves {step} and goes on",
            OperatorAction.Rollback => $"moves all traffic back to {release.StableVersion} at once (it still runs), then removes the {release.Version} containers",
            OperatorAction.Reject => $"rejects {step} and rolls back: canary {canary}% -> 0%, removes the {release.Version} containers it deployed",
            _ => action.ToString(),
        };
    }
}
