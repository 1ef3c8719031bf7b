using LightMesh.Core;

namespace LightMesh.Demo;

/// <summary>Finds the checkout the demo image is built from: the nearest directory holding the solution file.</summary>
public static class RepositoryRoot
{
    public const string SolutionFile = "LightMesh.Release.sln";

    /// <summary>
    /// <paramref name="startDirectory"/> or the nearest directory above it that holds <see cref="SolutionFile"/>;
    /// the demo is built from sources, so running it outside a checkout is an error worth saying plainly.
    /// </summary>
    public static string Find(string startDirectory)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        throw new LightMeshException(
            $"no {SolutionFile} in {Path.GetFullPath(startDirectory)} or any directory above it: the demo is built from a LightMesh checkout, run it from inside one");
    }
}
