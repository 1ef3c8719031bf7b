using LightMesh.Demo;
using LightMesh.Core;

namespace LightMesh.Cli.Tests.Demo;

/// <summary>Finding the installation whose runtime goes into the image, over fake installations in a temporary directory.</summary>
public sealed class DotnetRootTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lightmesh-dotnet-root-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Find_ProcessIsDotnet_IsItsDirectoryWhateverTheEnvironmentSays()
    {
        var running = Installation("running");

        Assert.Equal(running, DotnetRoot.Find(Path.Combine(running, "dotnet"), Installation("elsewhere"), null));
    }

    [Fact]
    public void Find_AppHostWithNoDotnetRoot_FollowsTheSymlinkOnPath()
    {
        var installation = Installation("share-dotnet");
        var bin = Directory.CreateDirectory(Path.Combine(_dir.FullName, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "dotnet"), Path.Combine(installation, "dotnet"));

        Assert.Equal(installation, DotnetRoot.Find(Path.Combine(_dir.FullName, "lightmesh"), null, $"/nonexistent:{bin}"));
    }

    [Fact]
    public void Find_DotnetRootThatIsNoInstallation_FailsNamingIt()
    {
        var e = Assert.Throws<LightMeshException>(() => DotnetRoot.Find("/opt/lightmesh", _dir.FullName, null));
        Assert.Equal($"{_dir.FullName} (from DOTNET_ROOT) is not a .NET installation: it needs dotnet and host/fxr/", e.Message);
    }

    [Fact]
    public void Find_NothingAnywhere_FailsSayingWhereItLooked()
    {
        var e = Assert.Throws<LightMeshException>(() => DotnetRoot.Find("/opt/lightmesh", null, "/nonexistent"));
        Assert.Contains("DOTNET_ROOT is not set and there is no dotnet on PATH", e.Message, StringComparison.Ordinal);
    }

    private string Installation(string name)
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir.FullName, name));
        Directory.CreateDirectory(Path.Combine(root.FullName, "host", "fxr", "10.0.1"));
        File.WriteAllText(Path.Combine(root.FullName, "dotnet"), "");
        return root.FullName;
    }
}
