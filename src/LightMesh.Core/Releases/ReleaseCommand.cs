namespace LightMesh.Core.Releases;

/// <summary>
/// What the engine must do next for a release. The decider only decides; carrying a command out (etcd, the
/// deployer, the control plane, Prometheus, HTTP) is the engine's, which reports back with a <see cref="ReleaseInput"/>.
/// </summary>
public abstract record ReleaseCommand;

/// <summary>Deploy the canary version with this many replicas per node, and wait until its instances are registered.</summary>
public sealed record DeployCanary(int Replicas) : ReleaseCommand;

/// <summary>Set the canary's weight (stable gets the rest) and wait until the proxies have converged.</summary>
public sealed record SetCanaryWeight(int Weight) : ReleaseCommand;

/// <summary>Set (or remove) the route of a <c>setHeaderRoute</c> or <c>setMirrorRoute</c> step, and wait until the proxies have converged.</summary>
public sealed record SetReleaseRoute(ReleaseRouteStep Route) : ReleaseCommand;

/// <summary>Take back the routes the release manages, changed by someone else: its subsets, the canary at <see cref="Weight"/>%, and its own routes.</summary>
public sealed record RestoreRoutes(int Weight) : ReleaseCommand;

/// <summary>Nothing to do until <see cref="Until"/>; then report <see cref="TimerFired"/>.</summary>
public sealed record WaitUntil(DateTimeOffset Until) : ReleaseCommand;

/// <summary>Nothing to do until an operator acts.</summary>
public sealed record WaitForOperator(string Reason) : ReleaseCommand;

public sealed record RunAnalysis(IReadOnlyList<string> Templates, IReadOnlyDictionary<string, string> Args) : ReleaseCommand;

public sealed record CallWebhook(WebhookStep Webhook) : ReleaseCommand;

/// <summary>Carry out one move of the promotion (see <see cref="PromotionMove"/>); the release records it as begun first.</summary>
public sealed record Promote(PromotionMove Move) : ReleaseCommand;

/// <summary>Carry out one move of the rollback (see <see cref="RollbackMove"/>); the release records it as begun first.</summary>
public sealed record RollBack(RollbackMove Move, string Reason) : ReleaseCommand;

/// <summary>The release is over; nothing more to do.</summary>
public sealed record Finished(ReleasePhase Phase) : ReleaseCommand;
