namespace LightMesh.Host.Hooks;

/// <summary>GitLab, which sends its secret token as it is in <c>X-Gitlab-Token</c>.</summary>
public sealed record GitLabHookOptions
{
    /// <summary>Unset: every delivery is refused.</summary>
    public string? Token { get; init; }
}
