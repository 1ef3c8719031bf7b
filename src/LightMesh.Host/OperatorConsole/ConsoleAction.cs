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

    /// <summary>The actions on the whole group that apply to <paramref name="group"/> now (as <see cref="ReleaseGroupDecider"/> would take them), each with its effect.</summary>
    public static IReadOnlyList<ConsoleAction> ForGroup(ReleaseGroupState group, string actor, DateTimeOffset now)
    {
        var actions = new List<ConsoleAction>();
        foreach (var (name, action) in GroupEndpoints.Actions)
        {
            // An abort of a group rolling back already changes nothing: the decider answers it with the group as it is.
            var applies = action == OperatorAction.Abort
                ? ReleaseGroupDecider.Abort(group, actor, now) is { } aborted && !ReferenceEquals(aborted, group)
                : ReleaseGroupDecider.Act(group, action, actor, now).Refused is null;
            if (applies)
            {
                actions.Add(new ConsoleAction(name, action switch
                {
                    OperatorAction.Pause => "holds the group: no member starts, and each running member pauses where it is",
                    OperatorAction.Resume => "lets the group go on: each member paused resumes, and members start as their gate allows",
                    OperatorAction.Approve => "approves every member waiting at an approval step, and every member's group approval step, now or when it gets there",
                    _ => "rolls back every member started, last started first; a promoted member is returned to its old version",
                }));
            }
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
