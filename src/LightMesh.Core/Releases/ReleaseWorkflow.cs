using System.Text.Json.Serialization;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Releases;

/// <summary>The steps a release takes a service through, from deploying a canary to promoting it (<c>kind: ReleaseWorkflow</c>).</summary>
public sealed record ReleaseWorkflow : Document
{
    public override DocumentKind Kind => DocumentKind.ReleaseWorkflow;
    public required ReleaseWorkflowSpec Spec { get; init; }
}

/// <summary>How a release moves the traffic to the new version.</summary>
public enum ReleaseStrategy
{
    /// <summary>By weights and routes, step by step; <c>promote</c> gives the canary the rest.</summary>
    Canary,

    /// <summary>
    /// None until <c>promote</c>, which switches all of it at once: until then the new version, deployed at the stable
    /// version's size, is a preview reached only through its header (<see cref="ReleaseStrategies.PreviewHeader"/>).
    /// </summary>
    BlueGreen,
}

/// <summary>What to do when an analysis can decide neither way.</summary>
public enum InconclusivePolicy
{
    Pause,
    Rollback,
}

/// <summary>The <c>spec</c> of a <see cref="ReleaseWorkflow"/>.</summary>
public sealed record ReleaseWorkflowSpec
{
    public required IReadOnlyList<ReleaseStep> Steps { get; init; }

    /// <summary><see cref="ReleaseStrategy.Canary"/> unless set.</summary>
    public ReleaseStrategy? Strategy { get; init; }

    /// <summary>Blue-green only: analysis of the preview, run just before the switch; its failure rolls back.</summary>
    public AnalysisStep? PrePromotionAnalysis { get; init; }

    /// <summary>Analysis that runs from a given step to the end; its failure aborts the release at once.</summary>
    public BackgroundAnalysis? BackgroundAnalysis { get; init; }

    /// <summary>A release that makes no progress for this long fails (and rolls back).</summary>
    public Duration? ProgressDeadline { get; init; }

    public InconclusivePolicy? OnInconclusive { get; init; }

    /// <summary>URLs told of every state change.</summary>
    public IReadOnlyList<string> Notifications { get; init; } = [];

    /// <summary>
    /// Analysis run once the new version takes all the traffic while the old one still runs
    /// (<see cref="PromotionMove.PreviousKept"/>): its failure moves all the traffic back at once.
    /// </summary>
    public AnalysisStep? PostPromotionAnalysis { get; init; }

    /// <summary>
    /// How long, once the new version takes all the traffic, the old version keeps running at its stable size, taking
    /// none (<see cref="PromotionMove.PreviousKept"/>): inside it, a rollback only moves the traffic back. A canary's
    /// <c>rollbackWindow</c>, a blue-green workflow's <c>scaleDownDelay</c>.
    /// </summary>
    public Duration? RollbackWindow { get; init; }

    /// <summary>A caller that reached the canary by weight stays on it until the release ends; none when unset.</summary>
    public SessionAffinity? SessionAffinity { get; init; }

    /// <summary>True when the promotion holds the old version after the switch (<see cref="PromotionMove.PreviousKept"/>).</summary>
    [JsonIgnore]
    public bool KeepsPrevious => PostPromotionAnalysis is not null || RollbackWindow is not null;

    /// <summary>The AnalysisTemplates the workflow runs, in its steps, in the background and after promotion, each once: they declare the arguments a release of it can set.</summary>
    public IReadOnlyList<string> TemplateNames() =>
        Steps.OfType<AnalysisStep>().SelectMany(s => s.Templates).Concat(BackgroundAnalysis?.Templates ?? [])
            .Concat(PrePromotionAnalysis?.Templates ?? []).Concat(PostPromotionAnalysis?.Templates ?? [])
            .Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>
/// Sticky canaries (<c>sessionAffinity</c>): the canary's answers set the cookie <see cref="CookieName"/> (for
/// <see cref="MaxAge"/>), and a route of the release's own sends requests that carry it to the canary, whatever the
/// weights. Both are in force from the release's first weight until it ends (<see cref="ReleaseTraffic.SessionRoute"/>).
/// </summary>
public sealed record SessionAffinity(string CookieName, Duration MaxAge);

/// <summary>Analysis running beside the steps from <see cref="StartingStep"/> on.</summary>
public sealed record BackgroundAnalysis(IReadOnlyList<string> Templates, IReadOnlyDictionary<string, string> Args, int? StartingStep);

/// <summary>One step of a release workflow.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "step")]
[JsonDerivedType(typeof(DeployStep), "deploy")]
[JsonDerivedType(typeof(SetWeightStep), "setWeight")]
[JsonDerivedType(typeof(SetHeaderRouteStep), "setHeaderRoute")]
[JsonDerivedType(typeof(SetMirrorRouteStep), "setMirrorRoute")]
[JsonDerivedType(typeof(PauseStep), "pause")]
[JsonDerivedType(typeof(AnalysisStep), "analysis")]
[JsonDerivedType(typeof(ApprovalStep), "approval")]
[JsonDerivedType(typeof(WebhookStep), "webhook")]
[JsonDerivedType(typeof(PromoteStep), "promote")]
public abstract record ReleaseStep
{
    /// <summary>The step's name in documents: deploy, setWeight, setHeaderRoute, setMirrorRoute, pause, analysis, approval, webhook, promote.</summary>
    public abstract string Type { get; }
}

/// <summary>Deploys the canary version (<see cref="Replicas"/> per node) and waits until its instances are registered.</summary>
public sealed record DeployStep(int? Replicas) : ReleaseStep
{
    public override string Type => "deploy";
}

/// <summary>Sends <see cref="Weight"/> percent to the canary and the rest to stable, then waits for the proxies.</summary>
public sealed record SetWeightStep(int Weight) : ReleaseStep
{
    public override string Type => "setWeight";
}

/// <summary>
/// A step that sets, or removes, one of the release's own routes (named <c>lightmesh-release-NAME</c>, see
/// <see cref="ReleaseTraffic.RouteName"/>). Names are shared by every kind: a release has at most one route of a name.
/// Promotion and rollback remove them all.
/// </summary>
public abstract record ReleaseRouteStep(string Name) : ReleaseStep
{
    /// <summary>True for the step that removes the route <see cref="Name"/> rather than setting it.</summary>
    [JsonIgnore]
    public abstract bool Removes { get; }
}

/// <summary>
/// Sends every request that meets all of <see cref="Match"/> to the canary, whatever the weights (A/B testing on a header or
/// a cookie), through a route of the release's own placed before the user's routes; the other requests follow the
/// weights. Without <see cref="Match"/>, removes the route of that name.
/// </summary>
public sealed record SetHeaderRouteStep(string Name, IReadOnlyList<HeaderRouteMatch> Match) : ReleaseRouteStep(Name)
{
    public override string Type => "setHeaderRoute";

    [JsonIgnore]
    public override bool Removes => Match.Count == 0;
}

/// <summary>
/// Copies <see cref="Percentage"/> percent of the requests that meet any of <see cref="Match"/> (every request the default
/// route takes, when there is no match) to the canary; its answers are discarded, and the requests themselves follow
/// the weights as before. Without a percentage (and a match), removes the route of that name. Envoy mirrors;
/// proxyless gRPC clients route such requests by the weights and mirror nothing.
/// </summary>
public sealed record SetMirrorRouteStep(string Name, int? Percentage, IReadOnlyList<HttpMatchRequest> Match) : ReleaseRouteStep(Name)
{
    public override string Type => "setMirrorRoute";

    [JsonIgnore]
    public override bool Removes => Percentage is null;
}

/// <summary>One condition of a header route: a request header's value, or a cookie's (<see cref="Cookie"/>), matching <see cref="Value"/>.</summary>
/// <param name="Name">The header's name (lower case), or the cookie's.</param>
public sealed record HeaderRouteMatch(string Name, StringMatch Value, bool Cookie = false);

/// <summary>Waits for <see cref="Duration"/>, or until an operator resumes when it is unset.</summary>
public sealed record PauseStep(Duration? Duration) : ReleaseStep
{
    public override string Type => "pause";
}

/// <summary>Runs the named AnalysisTemplates; failure rolls the release back.</summary>
public sealed record AnalysisStep(IReadOnlyList<string> Templates, IReadOnlyDictionary<string, string> Args) : ReleaseStep
{
    public override string Type => "analysis";
}

/// <summary>Waits for an operator to approve (continue) or reject (roll back).</summary>
public sealed record ApprovalStep : ReleaseStep
{
    public override string Type => "approval";

    /// <summary>
    /// <c>approval: {group: true}</c>: in a member of a group release, only the group's approval ends this step, and one
    /// approval of the group ends it in every member, now or when the member gets there. A release that is in no group
    /// takes an operator's approve as at any approval step.
    /// </summary>
    public bool Group { get; init; }
}

/// <summary>Calls a URL (a pre-rollout check, a load test, a custom gate); an unexpected status fails the step.</summary>
public sealed record WebhookStep : ReleaseStep
{
    public override string Type => "webhook";
    public required string Url { get; init; }
    public string? Method { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    public string? Body { get; init; }
    public Duration? Timeout { get; init; }

    /// <summary>The status that passes; any 2xx when unset.</summary>
    public int? ExpectStatus { get; init; }
}

/// <summary>
/// Makes the canary the new stable version; the last step. The canary first takes all the traffic: at once, or through
/// <see cref="Steps"/> (rising canary weights ending at 100), each waited for like a <c>setWeight</c> and held for
/// <see cref="Interval"/> before the next.
/// </summary>
public sealed record PromoteStep : ReleaseStep
{
    public override string Type => "promote";

    /// <summary>The canary's weights on its way to 100, rising, the last 100; empty for 100 at once.</summary>
    public IReadOnlyList<int> Steps { get; init; } = [];

    /// <summary>How long each weight of <see cref="Steps"/> below 100 is held; none when unset.</summary>
    public Duration? Interval { get; init; }
}
