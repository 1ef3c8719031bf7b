using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Demo;

/// <summary>
/// A release workflow and its analysis templates with every duration divided by a factor, so that a workflow written
/// for production (minutes per stage) can be watched in a demo (seconds per stage) with its steps unchanged. Durations
/// never go below a floor: an analysis interval is also the PromQL <c>rate()</c> window, which needs at least two scrapes.
/// </summary>
public static class FastForm
{
    /// <summary>
    /// The shortest pause. The pause after a weight change is what lets a new canary be seen: Prometheus passes on what its
    /// discovery found at most every 5 s, then needs a few scrapes; an analysis any sooner finds no data.
    /// </summary>
    public static readonly TimeSpan MinimumPause = TimeSpan.FromSeconds(10);

    /// <summary>The shortest analysis interval: six scrapes at the demo's 500 ms, and a few calls even at 5% of the traffic.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(3);

    /// <summary>The shortest progress deadline.</summary>
    public static readonly TimeSpan MinimumDeadline = TimeSpan.FromMinutes(1);

    /// <summary>
    /// <paramref name="workflow"/> under <paramref name="name"/>, its pauses, stepped promotion's interval, rollback window (a blue-green workflow's
    /// <c>scaleDownDelay</c>) and progress deadline divided by <paramref name="factor"/>, and every template it names, in
    /// its steps and its background, pre- and post-promotion analyses, replaced by its entry in <paramref name="templates"/> (if any).
    /// </summary>
    public static ReleaseWorkflow Of(ReleaseWorkflow workflow, string name, int factor, IReadOnlyDictionary<string, string> templates)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        var spec = workflow.Spec;
        return workflow with
        {
            Metadata = workflow.Metadata with { Name = name },
            Spec = spec with
            {
                Steps = spec.Steps.Select(step => step switch
                {
                    PauseStep { Duration: { } duration } => new PauseStep(Divide(duration, factor, MinimumPause)),
                    AnalysisStep analysis => analysis with { Templates = Swap(analysis.Templates, templates) },
                    PromoteStep { Interval: { } interval } promote => promote with { Interval = Divide(interval, factor, MinimumPause) },
                    _ => step,
                }).ToList(),
                BackgroundAnalysis = spec.BackgroundAnalysis is { } background ? background with { Templates = Swap(background.Templates, templates) } : null,
                PrePromotionAnalysis = spec.PrePromotionAnalysis is { } pre ? pre with { Templates = Swap(pre.Templates, templates) } : null,
                PostPromotionAnalysis = spec.PostPromotionAnalysis is { } post ? post with { Templates = Swap(post.Templates, templates) } : null,
                RollbackWindow = spec.RollbackWindow is { } window ? Divide(window, factor, MinimumPause) : null,
                ProgressDeadline = spec.ProgressDeadline is { } deadline ? Divide(deadline, factor, MinimumDeadline) : null,
            },
        };
    }

    /// <summary><paramref name="template"/> with its metrics' intervals, initial delays and judgement windows divided by <paramref name="factor"/>.</summary>
    public static AnalysisTemplate Of(AnalysisTemplate template, int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        return template with
        {
            Spec = template.Spec with
            {
                Metrics = template.Spec.Metrics.Select(metric => metric with
                {
                    Interval = metric.Interval is { } interval ? Divide(interval, factor, MinimumInterval) : null,
                    InitialDelay = metric.InitialDelay is { } delay ? Divide(delay, factor, TimeSpan.Zero) : null,
                    Judge = metric.Judge is { } judge
                        ? judge with
                        {
                            Window = judge.Window is { } window ? Divide(window, factor, MinimumInterval) : null,
                            Step = judge.Step is { } step ? Divide(step, factor, MinimumInterval) : null,
                        }
                        : null,
                }).ToList(),
            },
        };
    }

    /// <summary>
    /// <paramref name="group"/> with every member released by <paramref name="workflow"/> (a fast form made by
    /// <see cref="Of(ReleaseWorkflow, string, int, IReadOnlyDictionary{string, string})"/>) and the templates of its
    /// analysis replaced by their entries in <paramref name="templates"/>. A group has no durations of its own.
    /// </summary>
    public static ReleaseGroupWorkflow Of(ReleaseGroupWorkflow group, string workflow, IReadOnlyDictionary<string, string> templates) => group with
    {
        Spec = group.Spec with
        {
            Members = group.Spec.Members.Select(member => member with { Workflow = workflow }).ToList(),
            Analysis = group.Spec.Analysis is { } analysis ? analysis with { Templates = Swap(analysis.Templates, templates) } : null,
        },
    };

    /// <summary>Divides and rounds to whole seconds (whole milliseconds under a second), never below <paramref name="floor"/>.</summary>
    public static Duration Divide(Duration duration, int factor, TimeSpan floor)
    {
        var divided = duration.Value / factor;
        var rounded = divided >= TimeSpan.FromSeconds(1)
            ? TimeSpan.FromSeconds(Math.Round(divided.TotalSeconds, MidpointRounding.AwayFromZero))
            : TimeSpan.FromMilliseconds(Math.Round(divided.TotalMilliseconds, MidpointRounding.AwayFromZero));
        return Duration.Of(rounded < floor ? floor : rounded);
    }

    private static List<string> Swap(IReadOnlyList<string> names, IReadOnlyDictionary<string, string> templates) =>
        names.Select(n => templates.GetValueOrDefault(n, n)).ToList();
}
