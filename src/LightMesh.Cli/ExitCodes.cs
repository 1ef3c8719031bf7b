namespace LightMesh.Cli;

/// <summary>The exit codes of every verb, documented in the README.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int InvalidInput = 2;
    public const int Conflict = 3;
    public const int NotFound = 4;
    public const int Unreachable = 5;

    /// <summary>An analysis could not decide (no data, or too many inconclusive measurements).</summary>
    public const int Inconclusive = 6;

    /// <summary>The controller refused the request: no token or one it does not know (401), or a role too low (403).</summary>
    public const int Unauthorized = 7;
}
