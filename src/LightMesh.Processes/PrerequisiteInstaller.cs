using LightMesh.Core;

namespace LightMesh.Processes;

/// <summary>Makes sure the programs the local demo runs are installed: with apt-get when running as root, else says how.</summary>
public static class PrerequisiteInstaller
{
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(20);

    /// <summary>Whether this process may install packages: it runs as root.</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess || Environment.UserName == "root";

    /// <summary>The executables of <paramref name="executables"/> (see <see cref="Prerequisites.All"/>) not found.</summary>
    public static IReadOnlyList<string> Missing(IEnumerable<string> executables) =>
        [.. executables.Where(e => ExecutableSearch.Find(e) is null)];

    /// <summary>
    /// Installs the Debian packages of the <paramref name="executables"/> not found, writing apt-get's output to
    /// <c>apt-get.log</c> in <paramref name="runDirectory"/> and saying what it does through <paramref name="report"/>;
    /// throws, naming the missing programs and the command that installs them, when not running as root.
    /// </summary>
    public static async Task EnsureAsync(IReadOnlyList<string> executables, string runDirectory, Action<string> report, CancellationToken cancellationToken)
    {
        var plan = Prerequisites.Plan(Missing(executables), IsRoot);
        switch (plan.Decision)
        {
            case InstallDecision.NothingMissing:
                return;
            case InstallDecision.AskUser:
                throw new LightMeshException(plan.Problem);
        }

        report($"installing {string.Join(", ", plan.Packages)} with apt-get (missing: {string.Join(", ", plan.Missing.Select(p => p.Executable))}); this can take a few minutes");
        var log = Path.Combine(runDirectory, "apt-get-install.log");
        await RunAsync("apt-get update", InstallPlan.UpdateArguments, Path.Combine(runDirectory, "apt-get-update.log"), UpdateTimeout, cancellationToken);
        await RunAsync("apt-get install", plan.InstallArguments, log, InstallTimeout, cancellationToken);

        var still = Missing(executables);
        if (still.Count > 0)
        {
            throw new LightMeshException($"{string.Join(", ", still)} still not found after installing {string.Join(", ", plan.Packages)}; see {log}");
        }

        report($"installed {string.Join(", ", plan.Packages)}");
    }

    private static async Task RunAsync(string name, IReadOnlyList<string> arguments, string logFile, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var apt = LocalProcess.Start(new LocalProcessOptions
        {
            Name = name,
            Executable = ExecutableSearch.Find("apt-get") ?? throw new LightMeshException("apt-get is not found: the local demo installs its programs on Debian or Ubuntu only"),
            Arguments = arguments,
            Environment = InstallPlan.InstallEnvironment,
            LogFile = logFile,
            StopTimeout = TimeSpan.FromSeconds(30),
        });
        var exitCode = await apt.WaitForExitAsync(timeout, cancellationToken);
        if (exitCode != 0)
        {
            throw new LightMeshException(apt.Explain($"{name} failed with exit code {exitCode} (apt-get {string.Join(' ', arguments)})"));
        }
    }
}
