using LightMesh.Core.Releases;

namespace LightMesh.Releases.Engine;

/// <summary>
/// The I/O behind a release's commands: route rules, the deployer, Prometheus, webhooks. Each call is idempotent
/// (re-running it after a crash is harmless) and every traffic write it makes is fenced by the leader's term.
/// </summary>
public interface IReleaseActions
{
    Task<StepResult> DeployCanaryAsync(ReleaseState release, int replicas, CancellationToken cancellationToken);

    Task<StepResult> SetCanaryWeightAsync(ReleaseState release, int weight, CancellationToken cancellationToken);

    Task<AnalysisEnded> AnalyzeAsync(ReleaseState release, IReadOnlyList<string> templates, IReadOnlyDictionary<string, string> args, bool background, CancellationToken cancellationToken);

    Task<StepResult> CallWebhookAsync(ReleaseState release, WebhookStep webhook, CancellationToken cancellationToken);

    /// <summary>Canary 100% and converged; the new version becomes stable (subset, document, replicas); the old is removed after a drain.</summary>
    Task<StepResult> PromoteAsync(ReleaseState release, CancellationToken cancellationToken);

    /// <summary>Stable 100% and converged, then the canary's containers removed, returning each node to its revision before the release.</summary>
    Task<StepResult> RollBackAsync(ReleaseState release, CancellationToken cancellationToken);
}
