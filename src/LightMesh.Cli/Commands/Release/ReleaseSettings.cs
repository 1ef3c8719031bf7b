using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary>Options every <c>release</c> verb takes: the controller whose HTTP API it calls, besides the global ones.</summary>
public class ReleaseSettings : GlobalSettings
{
    public const string DefaultServer = "http://127.0.0.1:8080";
    public const string ServerVariable = "LIGHTMESH_SERVER";

    [CommandOption("--server <URL>")]
    [Description("The controller's HTTP API (lightmesh server --listen). Default: $LIGHTMESH_SERVER, else http://127.0.0.1:8080")]
    public string? Server { get; init; }

    /// <summary>The controller's URL: the option, else the environment, else the default.</summary>
    public string ServerUrl => Server ?? NonEmpty(Environment.GetEnvironmentVariable(ServerVariable)) ?? DefaultServer;

    /// <summary>Who acts when <c>--actor</c> is not given: the login name, else "operator".</summary>
    public static string DefaultActor => NonEmpty(Environment.GetEnvironmentVariable("USER")) ?? "operator";

    public override ValidationResult Validate()
    {
        var source = Server is null && NonEmpty(Environment.GetEnvironmentVariable(ServerVariable)) is not null ? $"${ServerVariable}" : "--server";
        return Uri.TryCreate(ServerUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0
            ? base.Validate()
            : ValidationResult.Error($"{source}: \"{ServerUrl}\" must be an http(s) URL such as {DefaultServer}");
    }

    public ReleaseClient CreateClient() => new(new Uri(ServerUrl), ReleaseClient.DefaultTimeout);

    protected static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
