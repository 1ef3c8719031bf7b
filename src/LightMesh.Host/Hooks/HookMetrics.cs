using Prometheus;

namespace LightMesh.Host.Hooks;

/// <summary>The webhooks' Prometheus metric: every delivery counted by provider and outcome.</summary>
public static class HookMetrics
{
    private static readonly Counter Deliveries = Metrics.CreateCounter(
        "lightmesh_webhook_deliveries_total",
        "CI webhook deliveries, by provider (github, gitlab, generic) and outcome (started, duplicate, ignored, unauthorized, invalid, conflict, too_large).",
        "provider", "outcome");

    public static void Count(HookProvider provider, HookOutcome outcome) => Deliveries.WithLabels(NameOf(provider), NameOf(outcome)).Inc();

    /// <summary>The provider as URLs, keys, metrics and actors name it: github, gitlab, generic.</summary>
    public static string NameOf(HookProvider provider) => provider.ToString().ToLowerInvariant();

    public static string NameOf(HookOutcome outcome) => outcome == HookOutcome.TooLarge ? "too_large" : outcome.ToString().ToLowerInvariant();
}
