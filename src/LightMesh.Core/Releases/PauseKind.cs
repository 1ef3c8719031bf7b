namespace LightMesh.Core.Releases;

/// <summary>Why a release is paused, which decides what <c>resume</c> does.</summary>
public enum PauseKind
{
    /// <summary>An operator paused it; resuming carries out the step it was on again.</summary>
    Operator,

    /// <summary>An untimed pause step; resuming ends the step.</summary>
    PauseStep,

    /// <summary>An approval step; only approve or reject end it.</summary>
    Approval,

    /// <summary>An analysis could not decide; resuming counts the analysis as passed.</summary>
    Inconclusive,

    /// <summary>Held outside its delivery windows; it resumes by itself when a window opens.</summary>
    OutsideWindow,

    /// <summary>Someone changed the routes the release manages (a forced write); resuming carries out the step again.</summary>
    RoutesChanged,
}
