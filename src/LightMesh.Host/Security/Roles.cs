namespace LightMesh.Host.Security;

/// <summary>
/// The roles a bearer token carries, each an authorization policy of the same name: a viewer reads, an operator also
/// acts on releases, an admin also changes documents and schedules.
/// </summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>Every role, the least first.</summary>
    public static readonly IReadOnlyList<string> All = [Viewer, Operator, Admin];

    /// <summary>Whether a token of role <paramref name="held"/> may do what <paramref name="needed"/> may: admin ⊇ operator ⊇ viewer.</summary>
    public static bool Grants(string held, string needed) => Rank(needed) >= 0 && Rank(held) >= Rank(needed);

    private static int Rank(string role) => role switch
    {
        Viewer => 0,
        Operator => 1,
        Admin => 2,
        _ => -1,
    };
}
