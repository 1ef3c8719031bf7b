namespace LightMesh.Processes;

/// <summary>How to run the lightmesh CLI as a child process: the dotnet host and the path of <c>lightmesh.dll</c>.</summary>
public static class SelfCommand
{
    /// <summary>The dotnet host this process runs on, else <c>dotnet</c> from PATH.</summary>
    public static string Host { get; } =
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>
    /// The CLI's assembly, the first argument to <see cref="Host"/>: beside this one in the CLI itself, and in every
    /// project that references the CLI (the benchmarks, the tests).
    /// </summary>
    public static string Assembly { get; } = Path.Combine(AppContext.BaseDirectory, "lightmesh.dll");

    /// <summary>The arguments that run <c>lightmesh VERB...</c>: the assembly, then <paramref name="verb"/>.</summary>
    public static IReadOnlyList<string> Arguments(params IEnumerable<string> verb) => [Assembly, .. verb];
}
