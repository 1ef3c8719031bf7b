using System.Globalization;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Host.Api;

/// <summary>
/// A release in words, as people on call read it wherever it is shown (the CLI's tables and progress, the console):
/// its step as "3/5 (pause)", and why it is where it is.
/// </summary>
public static class ReleaseText
{
    /// <summary>Whether a release in <paramref name="phase"/> has ended.</summary>
    public static bool IsFinal(ReleasePhase phase) => phase is ReleasePhase.Succeeded or ReleasePhase.RolledBack or ReleasePhase.Aborted or ReleasePhase.Failed;

    /// <summary>The step as "3/5 (pause)", counted from 1; "5/5 (done)" once every step is done.</summary>
    public static string Step(ReleaseView r) =>
        r.Step < r.StepCount ? $"{r.Step + 1}/{r.StepCount} ({r.StepType})" : $"{r.StepCount}/{r.StepCount} (done)";

    /// <summary>A workflow step in words: "setWeight 20", "pause 2s", "pause until resumed", "analysis error-ratio", "webhook to ci.example.com" (never the URL, which may hold a secret).</summary>
    public static string Describe(ReleaseStep step) => step switch
    {
        DeployStep { Replicas: { } replicas } => $"deploy {replicas} per node",
        SetWeightStep weight => $"setWeight {weight.Weight}",
        SetHeaderRouteStep { Removes: true } route => $"remove header route {route.Name}",
        SetHeaderRouteStep route => $"header route {route.Name}: {string.Join(", ", route.Match.Select(m => $"{(m.Cookie ? "cookie " : "")}{m.Name} {Words(m.Value)}"))}",
        SetMirrorRouteStep { Removes: true } route => $"remove mirror route {route.Name}",
        SetMirrorRouteStep route => $"mirror route {route.Name}: {route.Percentage}% of {(route.Match.Count == 0 ? "every request" : string.Join(" or ", route.Match.Select(Words)))}",
        PauseStep { Duration: { } duration } => $"pause {duration.Text}",
        PauseStep => "pause until resumed",
        AnalysisStep analysis => $"analysis {string.Join(", ", analysis.Templates)}",
        PromoteStep { Steps.Count: > 0 } promote => $"promote through {string.Join(", ", promote.Steps.Select(w => $"{w}%"))}{(promote.Interval is { } interval ? $", {interval.Text} each" : "")}",
        WebhookStep webhook => $"webhook to {(Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url) ? url.Host : "its URL")}",
        _ => step.Type,
    };

    /// <summary>A sticky canary in words: "cookie lm-canary: a caller the canary answered stays on it (max age 24h)".</summary>
    public static string Describe(SessionAffinityView session) =>
        $"cookie {session.CookieName}: a caller the canary answered stays on it (max age {session.MaxAge})";

    private static string Words(StringMatch match) => $"{match.Kind.ToString().ToLowerInvariant()} {match.Value}";

    /// <summary>A route's conditions in words: "uri prefix /api, x-user exact beta".</summary>
    private static string Words(HttpMatchRequest match) =>
        string.Join(", ", (match.Uri is { } uri ? [$"uri {Words(uri)}"] : Array.Empty<string>()).Concat(match.Headers.Select(h => $"{h.Key} {Words(h.Value)}")));

    /// <summary>
    /// Why the release is where it is: rolling back (or rolled back), promoting, paused, or waiting to try a command
    /// again (and when), with a timed pause's end, and what its running analysis could not measure.
    /// </summary>
    public static string Why(ReleaseView r)
    {
        var where = r switch
        {
            { RollingBack: { } reason } when IsFinal(r.Phase) => reason,
            { RollingBack: { } reason } => $"rolling back ({Words(r.Rollback)}): {reason}",
            { PausedBecause: { } reason } => reason,
            { Promotion: PromotionMove.PreviousKept } => $"promoted: {r.Version} takes all the traffic; {r.StableVersion} keeps running{(r.PauseUntil is { } end ? $" until {Time(end)}" : " until the post-promotion analysis passes")} (rollback moves all traffic back to it at once)",
            { Promotion: { } move, PauseUntil: { } until } => $"promoting ({Words(move)}): canary at {r.Weights.Canary}% until {Time(until)}",
            { Promotion: { } move } => $"promoting ({Words(move)})",
            { PauseUntil: { } until } => $"pausing until {Time(until)}",
            _ => "",
        };
        var parts = new List<string> { where };
        if (!IsFinal(r.Phase))
        {
            parts.AddRange(r.Retry is { } retry ? [Retrying(retry)] : []);
            parts.AddRange((r.Unmeasured ?? []).Select(NotMeasured));
        }

        return string.Join("; ", parts.Where(part => part.Length > 0));
    }

    /// <summary>A command waiting to be tried again: why, how often it failed, and when the next try is.</summary>
    public static string Retrying(StepRetry retry) =>
        $"retrying: {retry.Reason} ({retry.Attempt} {(retry.Attempt == 1 ? "try" : "tries")} failed; next at {Time(retry.At)})";

    /// <summary>A metric the running analysis could not measure: since when, why, and how the run goes on.</summary>
    public static string NotMeasured(UnmeasuredMetric metric) =>
        $"analysis: {metric.Template}/{metric.Metric} could not measure at {Time(metric.Since)}: {metric.Error}; " +
        $"measuring again every {Duration.Of(metric.Interval)} until more than {metric.ErrorLimit} {(metric.ErrorLimit == 1 ? "error" : "errors")} in a row end the run";

    /// <summary>A move in words: <c>StableTakesAll</c> as "stable takes all".</summary>
    private static string Words(Enum? move) =>
        string.Concat((move?.ToString() ?? "").Select((c, i) => char.IsUpper(c) ? $"{(i > 0 ? " " : "")}{char.ToLowerInvariant(c)}" : $"{c}"));

    /// <summary>A time as the reader's clock shows it.</summary>
    public static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
