using System.ComponentModel;
using LightMesh.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary>
/// Options every verb that only calls a controller takes (<c>release</c>, <c>schedule</c>, <c>window</c>,
/// <c>proxies</c>): the controller, on the local host by default, its token, and the output format; no etcd options,
/// since these verbs never talk to etcd.
/// </summary>
public class ReleaseSettings : OutputSettings, IControllerSettings
{
    [CommandOption("--server <URL>")]
    [Description(ControllerTarget.ServerDescription)]
    public string? Server { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description(ControllerTarget.TokenDescription)]
    public string? Token { get; init; }

    /// <summary>The controller's URL: the option, else the environment, else the default.</summary>
    public string ServerUrl => this.NamedServer() ?? ControllerTarget.DefaultServer;

    /// <summary>Who acts when <c>--actor</c> is not given: the login name, else "operator".</summary>
    public static string DefaultActor => NonEmpty(Environment.GetEnvironmentVariable("USER")) ?? "operator";

    public override ValidationResult Validate() => ControllerTarget.Check(this) is { Successful: false } problem ? problem : base.Validate();

    public ReleaseClient CreateClient() => new(this.CreateControllerClient());
}
