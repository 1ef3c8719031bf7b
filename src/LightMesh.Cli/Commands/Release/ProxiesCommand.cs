using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary><c>lightmesh proxies</c>: every controller and every proxy of the mesh, with the controller each is on (<c>GET /api/v1/proxies</c>).</summary>
public sealed class ProxiesCommand : AsyncCommand<ReleaseSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReleaseSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var answer = await client.ProxiesAsync(cancellationToken);
        if (answer.Value is not { } report)
        {
            return ApiFailures.Report(answer);
        }

        StatusOutput.Print(report, settings.Output);
        return ExitCodes.Ok;
    }
}
