using System.ComponentModel;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary>The option every <c>dev</c> verb takes: the directory the environment lives in.</summary>
public class DevSettings : CommandSettings
{
    [CommandOption("--dir <DIR>")]
    [Description("Where the dev environment keeps its state, data and logs. Default: ~/.lightmesh/dev")]
    public string? Directory { get; init; }

    /// <summary>The directory, made absolute.</summary>
    public string DevDirectory => Path.GetFullPath(Directory ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".lightmesh", "dev"));

    /// <summary>How a user runs this CLI from here: <c>./lightmesh</c> in a checkout's root, else <c>lightmesh</c>.</summary>
    public static string Invocation => File.Exists("lightmesh") && File.Exists(Demo.RepositoryRoot.SolutionFile) ? "./lightmesh" : "lightmesh";
}
