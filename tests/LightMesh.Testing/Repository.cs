namespace LightMesh.Testing;

/// <summary>Where the checkout is, found from the test binaries upwards.</summary>
public static class Repository
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LightMesh.Release.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("LightMesh.Release.sln not found above the tests");
        }
    }
}
