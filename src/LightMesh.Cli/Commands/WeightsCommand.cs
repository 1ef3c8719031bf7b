using System.ComponentModel;
using System.Globalization;
using LightMesh.Client;
using LightMesh.Cli.Output;
using LightMesh.Core.Routing;
using LightMesh.Host.Api;
using Spectre.Console;
using Spectre.Console.Cli;
using LightMesh.Releases.Requests;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh weights VS SUBSET=PERCENT...</c>: the guarded weight change a release step makes, by hand; through the
/// controller's API (an admin's token) with <c>--server</c>, else in etcd directly. The route a running release moves
/// is refused (exit 3) unless <c>--force</c>.
/// </summary>
public sealed class WeightsCommand : AsyncCommand<WeightsCommand.Settings>
{
    public sealed class Settings : DocumentSettings
    {
        [CommandArgument(0, "<VIRTUALSERVICE>")]
        [Description("The VirtualService whose route to change; --route names the route, else the last route without a match")]
        public string VirtualService { get; init; } = "";

        [CommandArgument(1, "<SUBSET=PERCENT>")]
        [Description("Subset weights, e.g. v1=90 v2=10; they must add up to 100")]
        public string[] Weights { get; init; } = [];

        [CommandOption("--route <NAME>")]
        [Description("The http route to change. Default: the last route without a match")]
        public string? Route { get; init; }

        [CommandOption("--force")]
        [Description(ForceDescription)]
        public bool Force { get; init; }

        public IReadOnlyList<SubsetWeight> Parsed => Weights.Select(w => w.Split('=')).Select(p => new SubsetWeight(p[0], int.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

        public override ValidationResult Validate()
        {
            var bad = Weights.FirstOrDefault(w => w.Split('=') is not [{ Length: > 0 }, var n] || !int.TryParse(n, CultureInfo.InvariantCulture, out _));
            return bad is null ? base.Validate() : ValidationResult.Error($"SUBSET=PERCENT: \"{bad}\" must look like v2=10");
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.UsesController)
        {
            using var client = settings.CreateControllerClient();
            var body = new WeightsBody(settings.Route, settings.Parsed.ToDictionary(w => w.Subset, w => w.Weight, StringComparer.Ordinal));
            var answer = await client.SendAsync<DocumentWriteView>(HttpMethod.Post, $"{DocumentEndpoints.Root.TrimStart('/')}/virtualservices/{Uri.EscapeDataString(settings.VirtualService)}/weights{DocumentClient.Force(settings.Force)}", body, cancellationToken);
            return Said(DocumentAnswers.Applied(answer, []), settings);
        }

        using var etcd = settings.Connect();
        var result = await DocumentWrites.ForEtcd(etcd, TimeProvider.System).SetWeightsAsync(settings.VirtualService, settings.Route, settings.Parsed, DocumentSettings.Writer(settings.Force), cancellationToken);
        return Said(WriteResults.Report(result), settings);
    }

    /// <summary>Once written, says what the route now sends where (<c>checkout primary: v1=25 v2=75</c>).</summary>
    private static int Said(int exitCode, Settings settings)
    {
        if (exitCode == ExitCodes.Ok)
        {
            Printer.Line($"{settings.VirtualService} {settings.Route ?? "(the default route)"}: {string.Join(" ", settings.Parsed.Select(w => $"{w.Subset}={w.Weight}"))}");
        }

        return exitCode;
    }
}
