using LightMesh.Core.Releases;

namespace LightMesh.Host.Api;

/// <summary>The canary and stable weights a release has set.</summary>
public sealed record WeightsView(int Stable, int Canary);

/// <summary>A running release's sticky canary (<c>sessionAffinity</c>): the cookie the canary's answers set, and for how long.</summary>
public sealed record SessionAffinityView(string CookieName, string MaxAge);

/// <summary>
/// A release as the API shows it: where it stands (with the move a promotion or rollback is making, a command waiting to
/// be tried again, and the metrics its running analysis could not measure), its weights, its analyses (with the
/// measurements kept, or as summaries in a list), its header and mirror routes and its sticky canary in force, and its event log.
/// </summary>
public sealed record ReleaseView(
    string Id,
    string Service,
    string Version,
    string StableVersion,
    string Workflow,
    ReleasePhase Phase,
    int Step,
    int StepCount,
    string? StepType,
    WeightsView Weights,
    string? PausedBecause,
    DateTimeOffset? PauseUntil,
    string? RollingBack,
    string StartedBy,
    DateTimeOffset StartedAt,
    string? RetryOf,
    IReadOnlyDictionary<string, string> Args,
    IReadOnlyList<ReleaseEvent> Events,
    IReadOnlyList<AnalysisRecord> Analyses,
    PromotionMove? Promotion = null,
    RollbackMove? Rollback = null,
    StepRetry? Retry = null,
    IReadOnlyList<UnmeasuredMetric>? Unmeasured = null,
    IReadOnlyList<SetHeaderRouteStep>? HeaderRoutes = null,
    IReadOnlyList<SetMirrorRouteStep>? MirrorRoutes = null,
    SessionAffinityView? SessionAffinity = null,
    string? Group = null)
{
    public static ReleaseView From(ReleaseState s) => new(
        s.Id, s.Service, s.Version, s.StableVersion, s.Workflow, s.Phase, s.Step, s.Spec.Steps.Count, s.CurrentStep?.Type,
        new WeightsView(100 - s.CanaryWeight, s.CanaryWeight), s.PausedBecause, s.PauseUntil, s.RollingBack, s.StartedBy, s.StartedAt,
        s.RetryOf, s.Args, s.Events, s.Analyses, s.IsFinished ? null : s.Promotion, s.IsFinished ? null : s.Rollback, s.Retry, s.Unmeasured, s.HeaderRoutes, s.MirrorRoutes,
        s.Spec.SessionAffinity is { } session && !s.IsFinished ? new SessionAffinityView(session.CookieName, session.MaxAge.Text) : null,
        s.Group);

    /// <summary>The release as a list shows it: each analysis metric without its measurements.</summary>
    public static ReleaseView Summary(ReleaseState s) => From(s with { Analyses = [.. s.Analyses.Select(a => a.ToSummary())] });
}

/// <summary>A page of <c>GET /api/v1/releases</c>: the releases, newest first, and the token that asks for the next page, when there is one.</summary>
public sealed record ReleaseListView(IReadOnlyList<ReleaseView> Items, string? Continue);

/// <summary>The body of <c>POST /api/v1/releases</c>.</summary>
public sealed record StartBody(string? Service, string? Version, string? Workflow, string? Image, Dictionary<string, string>? Args, string? Actor, bool? Supersede);

/// <summary>The optional body of an action: who acts.</summary>
public sealed record ActionBody(string? Actor);

/// <summary>What a client reads of an API error (problem details): every problem, each naming what was wrong, and the release it concerns.</summary>
public sealed record ErrorsView(IReadOnlyList<string> Errors, ReleaseView? Release = null);
