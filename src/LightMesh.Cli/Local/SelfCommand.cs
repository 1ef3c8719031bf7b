namespace LightMesh.Cli.Local;

/// <summary>How to run this CLI again as a child process: the dotnet host and the path of <c>lightmesh.dll</c>.</summary>
public static class SelfCommand
{
    /// <summary>The dotnet host this process runs on, else <c>dotnet</c> from PATH.</summary>
    public static string Host { get; } =
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>This CLI's entry assembly, the first argument to <see cref="Host"/>.</summary>
    public static string Assembly { get; } = typeof(SelfCommand).Assembly.Location;

    /// <summary>The arguments that run <c>lightmesh VERB...</c>: the assembly, then <paramref name="verb"/>.</summary>
    public static IReadOnlyList<string> Arguments(params IEnumerable<string> verb) => [Assembly, .. verb];
}
