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
