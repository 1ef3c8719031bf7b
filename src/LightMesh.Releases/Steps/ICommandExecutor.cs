using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;

namespace LightMesh.Releases.Steps;

/// <summary>
/// The I/O behind a release's commands: route rules, the deployer, Prometheus, webhooks. Each call is idempotent
/// (re-running it after a crash is harmless) and every traffic write it makes is fenced by the leader's term.
/// </summary>
public interface ICommandExecutor
{
    Task<StepResult> DeployCanaryAsync(ReleaseState release, int replicas, CancellationToken cancellationToken);

    Task<StepResult> SetCanaryWeightAsync(ReleaseState release, int weight, CancellationToken cancellationToken);

    /// <summary>Sets or removes the route of a <c>setHeaderRoute</c> or <c>setMirrorRoute</c> step, keeping the release's others.</summary>
    Task<StepResult> SetReleaseRouteAsync(ReleaseState release, ReleaseRouteStep route, CancellationToken cancellationToken);

    /// <summary>Gives the service's routes the release's subsets again, and the canary <paramref name="weight"/>%, after someone else changed them.</summary>
    Task<StepResult> RestoreRoutesAsync(ReleaseState release, int weight, CancellationToken cancellationToken);

    /// <summary>Runs the analysis to its end; each measurement also goes to <paramref name="measured"/>, with its template, as it is taken.</summary>
    Task<AnalysisEnded> AnalyzeAsync(
        ReleaseState release, IReadOnlyList<string> templates, IReadOnlyDictionary<string, string> args, bool background,
        IProgress<(string Template, MetricMeasured Measured)>? measured, CancellationToken cancellationToken);

    Task<StepResult> CallWebhookAsync(ReleaseState release, WebhookStep webhook, CancellationToken cancellationToken);

    /// <summary>Makes one move of the promotion (see <see cref="PromotionMove"/>).</summary>
    Task<StepResult> PromoteAsync(ReleaseState release, PromotionMove move, CancellationToken cancellationToken);

    /// <summary>Makes one move of the rollback (see <see cref="RollbackMove"/>), undoing what the release's recorded moves may have done.</summary>
    Task<StepResult> RollBackAsync(ReleaseState release, RollbackMove move, CancellationToken cancellationToken);
}
