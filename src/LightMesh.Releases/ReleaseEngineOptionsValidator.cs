using LightMesh.Core.Validation;
using Microsoft.Extensions.Options;

namespace LightMesh.Releases;

/// <summary>
/// Checks <see cref="ReleaseEngineOptions"/> at start: every value the engine cannot run with, all at once, each named by
/// its property. A configured value has passed the stricter checks of its setting's text before it gets here, so what
/// this refuses was set in code.
/// </summary>
public sealed class ReleaseEngineOptionsValidator : IValidateOptions<ReleaseEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, ReleaseEngineOptions options) =>
        Problems(options) is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;

    /// <summary>Every problem with <paramref name="options"/>, each as <c>ReleaseEngineOptions.PollInterval: 0s must be at least 1ms</c>.</summary>
    public static IReadOnlyList<string> Problems(ReleaseEngineOptions options)
    {
        var millisecond = TimeSpan.FromMilliseconds(1);
        (string Property, TimeSpan Value, TimeSpan Least)[] durations =
        [
            // Whole seconds: etcd's leases count in them.
            (nameof(options.LeaseTtl), options.LeaseTtl, TimeSpan.FromSeconds(1)),
            (nameof(options.DrainDelay), options.DrainDelay, TimeSpan.Zero),
            (nameof(options.EtcdCompactionInterval), options.EtcdCompactionInterval, TimeSpan.Zero),

            // A timer's period, or a wait, of at least a millisecond.
            (nameof(options.ConvergenceTimeout), options.ConvergenceTimeout, millisecond), (nameof(options.DeployTimeout), options.DeployTimeout, millisecond),
            (nameof(options.BackgroundInterval), options.BackgroundInterval, millisecond), (nameof(options.RecheckInterval), options.RecheckInterval, millisecond),
            (nameof(options.RetryDelay), options.RetryDelay, millisecond), (nameof(options.MaxRetryDelay), options.MaxRetryDelay, millisecond),
            (nameof(options.PollInterval), options.PollInterval, millisecond), (nameof(options.ScheduleInterval), options.ScheduleInterval, millisecond),
            (nameof(options.GroupInterval), options.GroupInterval, millisecond),
            (nameof(options.PhaseCountInterval), options.PhaseCountInterval, millisecond), (nameof(options.ReleaseHistoryAge), options.ReleaseHistoryAge, millisecond),
            (nameof(options.HistoryInterval), options.HistoryInterval, millisecond), (nameof(options.WorkflowRetention), options.WorkflowRetention, millisecond),
        ];
        (string Property, int Value)[] counts =
        [
            (nameof(options.MeasurementRetention), options.MeasurementRetention), (nameof(options.ReleaseHistory), options.ReleaseHistory),
            (nameof(options.MaxConcurrentReleases), options.MaxConcurrentReleases),
        ];

        var errors = durations.Where(d => d.Value < d.Least)
            .Select(d => $"{nameof(ReleaseEngineOptions)}.{d.Property}: {Duration.Of(d.Value)} must be at least {Duration.Of(d.Least)}")
            .Concat(counts.Where(c => c.Value < 1).Select(c => $"{nameof(ReleaseEngineOptions)}.{c.Property}: {c.Value} must be at least 1"))
            .ToList();

        // Also part of an etcd key (controlplanes/{name}).
        if (string.IsNullOrWhiteSpace(options.Candidate) || options.Candidate.Any(char.IsControl) || options.Candidate.Contains('/', StringComparison.Ordinal))
        {
            errors.Add($"{nameof(ReleaseEngineOptions)}.{nameof(options.Candidate)}: \"{options.Candidate}\" must be a name: printable, not empty, without '/'");
        }

        if (options.Prometheus is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
        {
            errors.Add($"{nameof(ReleaseEngineOptions)}.{nameof(options.Prometheus)}: \"{options.Prometheus}\" must be an http:// or https:// URL");
        }

        return errors;
    }
}
