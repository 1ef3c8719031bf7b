using System.ComponentModel;
using LightMesh.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>What a verb that calls the controller's HTTP API is given: which controller, and the bearer token.</summary>
public interface IControllerSettings
{
    /// <summary>The <c>--server</c> option, if given.</summary>
    string? Server { get; }

    /// <summary>The <c>--token</c> option, if given.</summary>
    string? Token { get; }

    /// <summary>The controller to call: the named one, else, for verbs that always call one, the default; null otherwise.</summary>
    string? ServerUrl { get; }
}

/// <summary>
/// The controller a verb calls and the token it shows: named by <c>--server</c>, else <c>$LIGHTMESH_SERVER</c>; the token
/// by <c>--token</c>, else <c>$LIGHTMESH_TOKEN</c>, else the initial admin token's file.
/// </summary>
public static class ControllerTarget
{
    public const string DefaultServer = "http://127.0.0.1:8080";
    public const string ServerVariable = ControllerVariables.Server;
    public const string TokenVariable = ControllerVariables.Token;

    public const string ServerDescription = "The controller's HTTP API (lightmesh server --listen). Default: $LIGHTMESH_SERVER; without either, the release verbs call http://127.0.0.1:8080 and apply, get and delete talk to etcd directly";
    public const string TokenDescription = "The bearer token for the controller's API. Default: $LIGHTMESH_TOKEN, else the contents of ~/.lightmesh/token (the initial admin token), if there is one";

    /// <summary>The controller named by the option or the environment; null when neither names one.</summary>
    public static string? NamedServer(this IControllerSettings settings) =>
        settings.Server ?? (Environment.GetEnvironmentVariable(ServerVariable) is { } variable && !string.IsNullOrWhiteSpace(variable) ? variable : null);

    /// <summary>Why the controller options cannot work (an empty token, a URL that is not http(s)), or success.</summary>
    public static ValidationResult Check(IControllerSettings settings)
    {
        if (settings.Token is not null && string.IsNullOrWhiteSpace(settings.Token))
        {
            return ValidationResult.Error("--token: must not be empty");
        }

        if (settings.ServerUrl is not { } url)
        {
            return ValidationResult.Success();
        }

        var source = settings.Server is null && settings.NamedServer() is not null ? $"${ServerVariable}" : "--server";
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0
            ? ValidationResult.Success()
            : ValidationResult.Error($"{source}: \"{url}\" must be an http(s) URL such as {DefaultServer}");
    }

    /// <summary>The token to send and where it came from: the option, else the environment, else the default token file; or none.</summary>
    public static (string? Token, string? Source) ResolveToken(this IControllerSettings settings) => ControllerVariables.ResolveToken(settings.Token);

    /// <summary>A client of the controller to call, with the token resolved; only when <see cref="IControllerSettings.ServerUrl"/> names one.</summary>
    public static ControllerClient CreateControllerClient(this IControllerSettings settings)
    {
        var url = settings.ServerUrl ?? throw new InvalidOperationException("no controller was named");
        var (token, source) = settings.ResolveToken();
        return new ControllerClient(new Uri(url), ControllerClient.DefaultTimeout, token, source);
    }
}

/// <summary>
/// Options of the verbs that talk to etcd directly, or to a controller when one is named: <c>apply</c>, <c>get</c>,
/// <c>delete</c>, <c>weights</c>, <c>instances</c>.
/// </summary>
public class ControllerSettings : GlobalSettings, IControllerSettings
{
    [CommandOption("--server <URL>")]
    [Description(ControllerTarget.ServerDescription)]
    public string? Server { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description(ControllerTarget.TokenDescription)]
    public string? Token { get; init; }

    public virtual string? ServerUrl => this.NamedServer();

    public override ValidationResult Validate() => ControllerTarget.Check(this) is { Successful: false } problem ? problem : base.Validate();
}
