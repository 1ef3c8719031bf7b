namespace LightMesh.Host.Hooks;

/// <summary>Who sends a webhook: GitHub, GitLab, or any CI through the generic endpoint.</summary>
public enum HookProvider
{
    GitHub,
    GitLab,
    Generic,
}
