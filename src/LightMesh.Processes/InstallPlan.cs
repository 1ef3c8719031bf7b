namespace LightMesh.Processes;

/// <summary>The programs missing for the local demo, and how they get installed (or who must install them).</summary>
public sealed record InstallPlan(InstallDecision Decision, IReadOnlyList<Prerequisite> Missing)
{
    /// <summary>The Debian packages to install, in the order the programs were asked for.</summary>
    public IReadOnlyList<string> Packages => [.. Missing.Select(p => p.DebianPackage).Distinct()];

    /// <summary><c>apt-get</c>'s arguments to refresh the package lists.</summary>
    public static IReadOnlyList<string> UpdateArguments => ["update", "-qq", .. WaitForLock];

    /// <summary><c>apt-get</c>'s arguments to install <see cref="Packages"/>, run with <see cref="InstallEnvironment"/>.</summary>
    public IReadOnlyList<string> InstallArguments => ["install", "-y", "-qq", "--no-install-recommends", .. WaitForLock, .. Packages];

    public static IReadOnlyDictionary<string, string> InstallEnvironment { get; } = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };

    /// <summary>The shell command a user runs as root to install what is missing.</summary>
    public string CommandLine =>
        $"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends {string.Join(' ', Packages)}";

    /// <summary>What is missing and the command that installs it, for a user who is not root.</summary>
    public string Problem =>
        $"{string.Join(", ", Missing.Select(p => p.Executable))} {(Missing.Count == 1 ? "is" : "are")} not installed (not found on PATH); "
        + $"install {(Missing.Count == 1 ? "it" : "them")} as root with: {CommandLine}";

    // A fresh cloud machine often runs unattended-upgrades at boot: wait for its dpkg lock rather than fail at once.
    private static string[] WaitForLock => ["-o", "DPkg::Lock::Timeout=300"];
}
