using Microsoft.Extensions.Configuration;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Keys in a configuration section that nothing reads: most likely a misspelling, which would otherwise leave the
/// default in force. One rule for every section (server settings, auth, hooks).
/// </summary>
public static class UnknownKeys
{
    /// <summary>"PATH: not a setting; SECTION has A, B" for each child of <paramref name="section"/> not in <paramref name="known"/>.</summary>
    public static IEnumerable<string> In(IConfigurationSection section, IReadOnlyList<string> known, string what = "setting") =>
        section.GetChildren()
            .Where(child => !known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            .Select(child => $"{child.Path}: not a {what}; {section.Path} has {string.Join(", ", known)}");
}
