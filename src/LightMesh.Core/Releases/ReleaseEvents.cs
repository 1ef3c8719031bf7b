namespace LightMesh.Core.Releases;

/// <summary>
/// The words of a release's event log (<see cref="ReleaseEvent.Action"/>) that readers of the log look for: where a
/// release started, a step was done, a rollback began, and how it ended. The log is stored, so these never change.
/// </summary>
public static class ReleaseEvents
{
    /// <summary>The actor of what the release engine did on its own.</summary>
    public const string Controller = "controller";

    public const string Started = "started";

    /// <summary>The first event a release started again (<c>retry</c>) adds after <see cref="Started"/>.</summary>
    public const string Retried = "retry";

    public const string PromotedFully = "promoted fully";

    /// <summary>The new version takes all the traffic while the old one keeps running (<see cref="PromotionMove.PreviousKept"/>).</summary>
    public const string PreviousKept = "previous kept";

    /// <summary>A weight of a stepped promotion (<see cref="PromoteStep.Steps"/>) is in force; its reason is <see cref="CanaryAt"/>.</summary>
    public const string PromotionStep = "promotion step";
    public const string RollingBack = "rolling back";
    public const string Succeeded = "succeeded";
    public const string RolledBack = "rolled back";
    public const string Aborted = "aborted";
    public const string Failed = "failed";

    private const string DoneSuffix = " done";

    /// <summary>The event of a step carried out: its type, then "done" (<c>setWeight done</c>).</summary>
    public static string StepDone(string stepType) => stepType + DoneSuffix;

    public static bool IsStepDone(ReleaseEvent e) => e.Action.EndsWith(DoneSuffix, StringComparison.Ordinal);

    /// <summary>The type of the step a <see cref="IsStepDone"/> event says was done.</summary>
    public static string DoneStepType(ReleaseEvent e) => e.Action[..^DoneSuffix.Length];

    /// <summary>The reason of a <see cref="PromotionStep"/> event: "canary at 50%".</summary>
    public static string CanaryAt(int weight) => $"canary at {weight}%";

    /// <summary>The weight a <see cref="PromotionStep"/> event's reason (<see cref="CanaryAt"/>) names; null for any other event.</summary>
    public static int? PromotionStepWeight(ReleaseEvent e) =>
        e.Action == PromotionStep && e.Reason.StartsWith("canary at ", StringComparison.Ordinal) && e.Reason.EndsWith('%')
        && int.TryParse(e.Reason.AsSpan(10, e.Reason.Length - 11), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var weight)
            ? weight
            : null;

    /// <summary>The event that ends a release in <paramref name="phase"/>.</summary>
    public static string Ending(ReleasePhase phase) => phase switch
    {
        ReleasePhase.Succeeded => Succeeded,
        ReleasePhase.RolledBack => RolledBack,
        ReleasePhase.Aborted => Aborted,
        ReleasePhase.Failed => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "not a phase a release ends in"),
    };
}
