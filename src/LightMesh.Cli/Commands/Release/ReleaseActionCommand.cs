using LightMesh.Cli.Api;
using LightMesh.Cli.Output;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands.Release;

/// <summary>
/// <c>lightmesh release pause|resume|abort|approve|reject|rollback|retry ID|SERVICE</c>: one operator action, named by the API path segment
/// the verb was registered with (<c>WithData</c>); the release's state after it is printed (for retry: the new release).
/// </summary>
public sealed class ReleaseActionCommand : AsyncCommand<ReleaseActionSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, ReleaseActionSettings settings, CancellationToken cancellationToken) =>
        ActAsync(settings, context.Data as string ?? throw new InvalidOperationException($"release {context.Name} was registered without its action"), cancellationToken);

    public static async Task<int> ActAsync(ReleaseActionSettings settings, string action, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var found = await client.FindAsync(settings.Id, cancellationToken);
        if (found.Value is not { } named)
        {
            return ApiFailures.Report(found);
        }

        var answer = await client.ActAsync(named.Id, action, settings.ActorOrDefault, cancellationToken);
        if (answer.Value is not { } release)
        {
            return ApiFailures.Report(answer);
        }

        if (settings.Output == "table")
        {
            Printer.Line(release.Id == named.Id ? $"release {release.Id}: {action}" : $"release {release.Id} started (retry of {named.Id})");
        }

        ReleaseOutput.One(release, settings.Output, detailed: false);
        return ExitCodes.Ok;
    }
}
