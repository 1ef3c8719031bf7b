using LightMesh.Processes;

namespace LightMesh.Cli.Tests;

/// <summary>What the demo does about missing programs, decided without touching the machine.</summary>
public sealed class PrerequisitesTests
{
    [Fact]
    public void PackageOf_EachProgram_IsItsDebianPackage()
    {
        Assert.Equal("etcd-server", Prerequisites.PackageOf("etcd"));
        Assert.Equal("prometheus", Prerequisites.PackageOf("prometheus"));
        Assert.Equal("docker.io", Prerequisites.PackageOf("dockerd"));
        Assert.Throws<ArgumentException>(() => Prerequisites.PackageOf("grafana-server"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Plan_NothingMissing_DoesNothing(bool isRoot)
    {
        var plan = Prerequisites.Plan([], isRoot);

        Assert.Equal(InstallDecision.NothingMissing, plan.Decision);
        Assert.Empty(plan.Packages);
    }

    [Fact]
    public void Plan_MissingAsRoot_InstallsTheirPackagesWithAptGet()
    {
        var plan = Prerequisites.Plan(["etcd", "dockerd", "etcd"], isRoot: true);

        Assert.Equal(InstallDecision.Install, plan.Decision);
        Assert.Equal(["etcd-server", "docker.io"], plan.Packages);
        Assert.Equal(["update", "-qq", "-o", "DPkg::Lock::Timeout=300"], InstallPlan.UpdateArguments);
        Assert.Equal(["install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", "etcd-server", "docker.io"], plan.InstallArguments);
        Assert.Equal("noninteractive", InstallPlan.InstallEnvironment["DEBIAN_FRONTEND"]);
    }

    [Fact]
    public void Plan_MissingNotRoot_AsksTheUserWithTheExactCommand()
    {
        var plan = Prerequisites.Plan(["prometheus", "dockerd"], isRoot: false);

        Assert.Equal(InstallDecision.AskUser, plan.Decision);
        Assert.Equal(
            "prometheus, dockerd are not installed (not found on PATH); install them as root with: "
            + "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus docker.io",
            plan.Problem);
    }

    [Fact]
    public void Plan_OneMissing_SaysIt()
    {
        var plan = Prerequisites.Plan(["etcd"], isRoot: false);

        Assert.StartsWith("etcd is not installed (not found on PATH); install it as root with: apt-get update -qq && ", plan.Problem, StringComparison.Ordinal);
        Assert.EndsWith(" --no-install-recommends etcd-server", plan.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_ThisMachine_FindsEveryProgramTheDemoNeeds()
    {
        // The tests' machine has them all (./test.sh installs them); dockerd is found even where PATH lacks /usr/sbin.
        Assert.Empty(PrerequisiteInstaller.Missing([.. Prerequisites.All.Select(p => p.Executable)]));
        Assert.Equal(["no-such-program-lightmesh"], PrerequisiteInstaller.Missing(["etcd", "no-such-program-lightmesh"]));
    }

    [Fact]
    public async Task EnsureAsync_NothingMissing_RunsNothingAndSaysNothing()
    {
        var dir = Directory.CreateTempSubdirectory("lightmesh-prerequisites-").FullName;
        List<string> said = [];

        await PrerequisiteInstaller.EnsureAsync([.. Prerequisites.All.Select(p => p.Executable)], dir, said.Add, CancellationToken.None);

        Assert.Empty(said);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir);
    }
}
