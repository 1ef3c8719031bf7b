using System.ComponentModel;
using System.Globalization;
using LightMesh.Client;
using LightMesh.Analysis;
using LightMesh.Cli.Output;
using LightMesh.Core;
using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Validation;
using LightMesh.Etcd.Documents;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>
/// <c>lightmesh analyze</c>: runs one AnalysisTemplate (stored, or from a file) against Prometheus and prints every
/// measurement and the outcome. Exit 0 Successful, 1 Failed (or an error), 6 Inconclusive, 2 an argument the template
/// does not declare or a value its conditions or queries cannot take.
/// </summary>
public sealed class AnalyzeCommand : AsyncCommand<AnalyzeCommand.Settings>
{
    public sealed class Settings : GlobalSettings
    {
        [CommandOption("--template <NAME|FILE>")]
        [Description("A stored AnalysisTemplate's name, or a YAML file holding one")]
        public string Template { get; init; } = "";

        [CommandOption("--arg <NAME=VALUE>")]
        [Description("An argument for the queries (service, canary, stable, port, ... or the template's own); repeat for more")]
        public string[] Args { get; init; } = [];

        [CommandOption("--prometheus <URL>")]
        [Description("Prometheus for metrics that name none. Default: http://127.0.0.1:9090")]
        public string Prometheus { get; init; } = "http://127.0.0.1:9090";

        [CommandOption("--interval <DURATION>")]
        [Description("Override every metric's interval")]
        public string? Interval { get; init; }

        [CommandOption("--count <N>")]
        [Description("Override every metric's count")]
        public int? Count { get; init; }

        public override ValidationResult Validate()
        {
            var problems = new List<string>();
            if (Template.Length == 0)
            {
                problems.Add("--template: is required");
            }

            if (!Uri.TryCreate(Prometheus, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"--prometheus: \"{Prometheus}\" must be an http:// URL");
            }

            if (Interval is not null && !Duration.TryParse(Interval, out _))
            {
                problems.Add($"--interval: \"{Interval}\" is not a duration");
            }

            if (Count is < 1)
            {
                problems.Add("--count: must be at least 1");
            }

            problems.AddRange(Args.Where(a => a.Split('=', 2) is not [{ Length: > 0 }, _]).Select(a => $"--arg: \"{a}\" must be NAME=VALUE"));
            problems.AddRange(Args.Select(a => a.Split('=', 2)[0]).Where(k => k.Length > 0).GroupBy(k => k, StringComparer.Ordinal)
                .Where(g => g.Count() > 1).Select(g => $"--arg: \"{g.Key}\" is given {g.Count()} times"));
            return problems.Count > 0 ? ValidationResult.Error(string.Join("; ", problems)) : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var template = await LoadAsync(settings, cancellationToken);
        if (template is null)
        {
            return ExitCodes.NotFound;
        }

        template = template with
        {
            Spec = template.Spec with
            {
                Metrics = template.Spec.Metrics.Select(m => m with
                {
                    Interval = settings.Interval is not null && Duration.TryParse(settings.Interval, out var interval) ? interval : m.Interval,
                    Count = settings.Count ?? m.Count,
                }).ToList(),
            },
        };

        // Only names the template declares (and the built-in ones, which this verb is given), each a value its uses take.
        var args = settings.Args.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var refused = TemplateArguments.Check([template], args, builtInGiven: true, "this analysis");
        if (refused.Count > 0)
        {
            Printer.Errors(refused.Select(p => $"error: --arg {p.Name}: {p.Message}"));
            return ExitCodes.InvalidInput;
        }

        using var http = new HttpClient();
        var runner = new AnalysisRunner(new PrometheusClient(http), TimeProvider.System);
        var live = new Progress<MetricMeasured>(m =>
            Printer.Error($"{m.Metric.Name}: {m.Measurement.Phase.ToString().ToLowerInvariant()} {m.Measurement.Message}"));
        var result = await runner.RunAsync(template, args, new Uri(settings.Prometheus), live, cancellationToken);

        Printer.Table(
            ["METRIC", "TIME", "VALUE", "PHASE", "MESSAGE"],
            result.Metrics.SelectMany(m => m.Measurements.Select(x => (IReadOnlyList<string>)
            [
                m.Name, x.At.ToString("HH:mm:ss", CultureInfo.InvariantCulture), x.Value.ToString("G6", CultureInfo.InvariantCulture),
                x.Phase.ToString().ToLowerInvariant(), x.Message,
            ])));
        if (result.Judgement is { } judgement)
        {
            Printer.Line($"judgement: score {judgement.Score:F0}, {judgement.Verdict.ToString().ToLowerInvariant()} ({judgement.Reason})");
        }

        Printer.Line($"{result.Phase.ToString().ToLowerInvariant()}: {result.Message}");
        if (result.Unreachable)
        {
            Printer.Error($"error: Prometheus at {settings.Prometheus} could not be reached; is it running there? Start it, or point --prometheus at yours");
            return ExitCodes.Unreachable;
        }

        if (result.Phase == AnalysisPhase.Inconclusive && result.Metrics.Any(m => m.Measurements.Any(x => x.Message.StartsWith("no data", StringComparison.Ordinal) || x.Message.StartsWith("NaN", StringComparison.Ordinal))))
        {
            Printer.Error($"a query that matches no series has no data: try it in Prometheus ({new Uri(new Uri(settings.Prometheus), "graph")}) with the arguments filled in");
        }

        return result.Phase switch
        {
            AnalysisPhase.Successful => ExitCodes.Ok,
            AnalysisPhase.Inconclusive => ExitCodes.Inconclusive,
            _ => ExitCodes.Failed,
        };
    }

    private static async Task<AnalysisTemplate?> LoadAsync(Settings settings, CancellationToken cancellationToken)
    {
        if (File.Exists(settings.Template))
        {
            var (documents, errors) = DocumentFiles.Read([settings.Template]);
            if (errors.Count > 0)
            {
                Printer.Errors(errors);
                throw new InvalidInputException($"{settings.Template} is not valid");
            }

            return documents.Select(d => d.Document).OfType<AnalysisTemplate>().FirstOrDefault()
                ?? throw new InvalidInputException($"{settings.Template} holds no AnalysisTemplate");
        }

        using var etcd = settings.Connect();
        if (await new DocumentStore(etcd).GetAsync(DocumentKind.AnalysisTemplate, settings.Template, cancellationToken) is AnalysisTemplate stored)
        {
            return stored;
        }

        Printer.Error($"AnalysisTemplate/{settings.Template} not found (and no such file)");
        return null;
    }
}
