using System.Globalization;
using System.Text.Json;
using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using LightMesh.Host.OperatorConsole;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary>
/// <c>lightmesh console link</c>: a one-time link that signs a browser in to the console as the token's holder, with
/// that token's role (<c>POST /api/v1/console/links</c>), so no token is pasted into a browser. The link is printed alone
/// on standard output (or as JSON with <c>-o json</c>), what it does on standard error.
/// </summary>
public sealed class ConsoleLinkCommand : AsyncCommand<ReleaseSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReleaseSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateControllerClient();
        var answer = await client.SendAsync<ConsoleLinkView>(HttpMethod.Post, ConsoleEndpoints.LinksApi.TrimStart('/'), null, cancellationToken);
        if (answer.Value is not { } link)
        {
            return ApiFailures.Report(answer);
        }

        if (settings.Output == "table")
        {
            Printer.Line(link.Url);
            Printer.Error($"signs one browser in, once, until {link.ExpiresAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}");
        }
        else
        {
            Printer.Json([JsonSerializer.SerializeToNode(link, JsonSerializerOptions.Web)!], asList: false);
        }

        return ExitCodes.Ok;
    }
}
