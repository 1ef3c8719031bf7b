using LightMesh.Cli.Commands;
using LightMesh.Cli.Output;
using LightMesh.Demo.Dev;
using LightMesh.Etcd;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Dev;

/// <summary><c>lightmesh dev env</c>: the shell lines that point the CLI at the dev environment, for <c>eval</c>.</summary>
public sealed class DevEnvCommand : Command<DevSettings>
{
    public const string XdsVariable = "LIGHTMESH_XDS";

    public override int Execute(CommandContext context, DevSettings settings, CancellationToken cancellationToken)
    {
        var state = DevState.Require(settings.DevDirectory);
        var token = File.ReadAllText(state.TokenFile).Trim();
        Printer.Line($"export {EtcdEnvironment.Endpoints}={Quote(state.Etcd)}");
        Printer.Line($"export {ControllerTarget.ServerVariable}={Quote(state.Controller)}");
        Printer.Line($"export {ControllerTarget.TokenVariable}={Quote(token)}");
        Printer.Line($"export {XdsVariable}={Quote(state.Xds)}");
        Printer.Line($"# the dev environment in {settings.DevDirectory}; eval \"$({DevSettings.Invocation} dev env)\" sets these");
        return ExitCodes.Ok;
    }

    /// <summary>A POSIX shell single-quoted word.</summary>
    public static string Quote(string value) => $"'{value.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
