namespace LightMesh.Processes;

/// <summary>Which programs the local demo needs, which Debian package provides each, and what to do when some are missing.</summary>
public static class Prerequisites
{
    public const string Etcd = "etcd";
    public const string Prometheus = "prometheus";
    public const string Dockerd = "dockerd";

    /// <summary>Every program the local demo may start, with its Debian package.</summary>
    public static IReadOnlyList<Prerequisite> All { get; } =
    [
        new(Etcd, "etcd-server"),
        new(Prometheus, "prometheus"),
        new(Dockerd, "docker.io"),
    ];

    /// <summary>The Debian package that provides <paramref name="executable"/>.</summary>
    public static string PackageOf(string executable) =>
        All.FirstOrDefault(p => p.Executable == executable)?.DebianPackage
        ?? throw new ArgumentException($"'{executable}' is not one of {string.Join(", ", All.Select(p => p.Executable))}", nameof(executable));

    /// <summary>Decides what to do about <paramref name="missing"/> executables, given whether this process runs as root.</summary>
    public static InstallPlan Plan(IEnumerable<string> missing, bool isRoot)
    {
        List<Prerequisite> prerequisites = [.. missing.Distinct().Select(e => new Prerequisite(e, PackageOf(e)))];
        var decision = prerequisites.Count == 0 ? InstallDecision.NothingMissing
            : isRoot ? InstallDecision.Install
            : InstallDecision.AskUser;
        return new InstallPlan(decision, prerequisites);
    }
}
