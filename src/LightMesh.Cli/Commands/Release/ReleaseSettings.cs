using System.ComponentModel;
using LightMesh.Core;
using LightMesh.Host.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary>Options every <c>release</c> verb takes: the controller whose HTTP API it calls and the token it shows, besides the global ones.</summary>
public class ReleaseSettings : GlobalSettings
{
    public const string DefaultServer = "http://127.0.0.1:8080";
    public const string ServerVariable = "LIGHTMESH_SERVER";
    public const string TokenVariable = "LIGHTMESH_TOKEN";

    [CommandOption("--server <URL>")]
    [Description("The controller's HTTP API (lightmesh server --listen). Default: $LIGHTMESH_SERVER, else http://127.0.0.1:8080")]
    public string? Server { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description("The bearer token for the controller's API. Default: $LIGHTMESH_TOKEN, else the contents of ~/.lightmesh/token (the initial admin token), if there is one")]
    public string? Token { get; init; }

    /// <summary>The controller's URL: the option, else the environment, else the default.</summary>
    public string ServerUrl => Server ?? NonEmpty(Environment.GetEnvironmentVariable(ServerVariable)) ?? DefaultServer;

    /// <summary>Who acts when <c>--actor</c> is not given: the login name, else "operator".</summary>
    public static string DefaultActor => NonEmpty(Environment.GetEnvironmentVariable("USER")) ?? "operator";

    public override ValidationResult Validate()
    {
        if (Token is not null && string.IsNullOrWhiteSpace(Token))
        {
            return ValidationResult.Error("--token: must not be empty");
        }

        var source = Server is null && NonEmpty(Environment.GetEnvironmentVariable(ServerVariable)) is not null ? $"${ServerVariable}" : "--server";
        return Uri.TryCreate(ServerUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0
            ? base.Validate()
            : ValidationResult.Error($"{source}: \"{ServerUrl}\" must be an http(s) URL such as {DefaultServer}");
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

    public ReleaseClient CreateClient()
    {
        var (token, source) = ResolveToken();
        return new ReleaseClient(new Uri(ServerUrl), ReleaseClient.DefaultTimeout, token, source);
    }

    protected static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
