using System.ComponentModel;
using LightMesh.Cli.Api;
using LightMesh.Core;
using LightMesh.Host.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>
/// Options of the verbs that call the controller's HTTP API: which controller, and the bearer token shown to it. The
/// release verbs always call it; <c>apply</c>, <c>get</c> and <c>delete</c> only when a controller is named.
/// </summary>
public class ControllerSettings : GlobalSettings
{
    public const string DefaultServer = "http://127.0.0.1:8080";
    public const string ServerVariable = "LIGHTMESH_SERVER";
    public const string TokenVariable = "LIGHTMESH_TOKEN";

    [CommandOption("--server <URL>")]
    [Description("The controller's HTTP API (lightmesh server --listen). Default: $LIGHTMESH_SERVER; without either, the release verbs call http://127.0.0.1:8080 and apply, get and delete talk to etcd directly")]
    public string? Server { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description("The bearer token for the controller's API. Default: $LIGHTMESH_TOKEN, else the contents of ~/.lightmesh/token (the initial admin token), if there is one")]
    public string? Token { get; init; }

    /// <summary>The controller named by the option or the environment; null when neither names one.</summary>
    public string? NamedServer => Server ?? NonEmpty(Environment.GetEnvironmentVariable(ServerVariable));

    /// <summary>The controller to call: the named one, else, for verbs that always call one, the default; null otherwise.</summary>
    public virtual string? ServerUrl => NamedServer;

    public override ValidationResult Validate()
    {
        if (Token is not null && string.IsNullOrWhiteSpace(Token))
        {
            return ValidationResult.Error("--token: must not be empty");
        }

        if (ServerUrl is not { } url)
        {
            return base.Validate();
        }

        var source = Server is null && NamedServer is not null ? $"${ServerVariable}" : "--server";
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0
            ? base.Validate()
            : ValidationResult.Error($"{source}: \"{url}\" must be an http(s) URL such as {DefaultServer}");
    }

    /// <summary>The token to send and where it came from: the option, else the environment, else the default token file; or none.</summary>
    public (string? Token, string? Source) ResolveToken()
    {
        if (Token is not null)
        {
            return (Token, "--token");
        }

        if (NonEmpty(Environment.GetEnvironmentVariable(TokenVariable)) is { } variable)
        {
            return (variable.Trim(), $"${TokenVariable}");
        }

        var file = AuthOptions.ExpandHome(AuthOptions.DefaultTokenFile);
        try
        {
            return File.Exists(file) && NonEmpty(File.ReadAllText(file)) is { } contents ? (contents.Trim(), AuthOptions.DefaultTokenFile) : (null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{file}: cannot be read ({e.Message}); give a token with --token or ${TokenVariable}");
        }
    }

    /// <summary>A client of the controller to call, with the token resolved; only when <see cref="ServerUrl"/> names one.</summary>
    public ControllerClient CreateControllerClient()
    {
        var url = ServerUrl ?? throw new InvalidOperationException("no controller was named");
        var (token, source) = ResolveToken();
        return new ControllerClient(new Uri(url), ControllerClient.DefaultTimeout, token, source);
    }

    protected static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
