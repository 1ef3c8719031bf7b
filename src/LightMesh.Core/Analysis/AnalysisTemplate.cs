using LightMesh.Core.Documents;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Analysis;

/// <summary>A reusable set of metric checks (<c>kind: AnalysisTemplate</c>) that release steps run against Prometheus.</summary>
public sealed record AnalysisTemplate : Document
{
    public override DocumentKind Kind => DocumentKind.AnalysisTemplate;
    public required AnalysisTemplateSpec Spec { get; init; }
}

/// <summary>The <c>spec</c> of an <see cref="AnalysisTemplate"/>: its arguments and metrics.</summary>
public sealed record AnalysisTemplateSpec
{
    /// <summary>
    /// Arguments the queries and conditions use as <c>{{name}}</c>, beyond the ones every run has (<see cref="AnalysisArguments.BuiltIn"/>):
    /// the only names a release, a webhook or <c>lightmesh analyze</c> may set.
    /// </summary>
    public IReadOnlyList<AnalysisArgument> Args { get; init; } = [];

    public required IReadOnlyList<AnalysisMetric> Metrics { get; init; }

    /// <summary>Score thresholds of the judged metrics' judgement: at or above <c>pass</c> passes, above <c>marginal</c> is inconclusive.</summary>
    public ScoreThresholds? Scoring { get; init; }
}

/// <summary>Where a judgement's 0-100 score turns from Fail to Marginal and from Marginal to Pass.</summary>
public sealed record ScoreThresholds(double? Pass, double? Marginal)
{
    public const double DefaultPass = 95;
    public const double DefaultMarginal = 75;
}

/// <summary>A template argument, with a default value or none (then every run must give one).</summary>
public sealed record AnalysisArgument(string Name, string? Value);

/// <summary>What to do when a query returns no data, NaN or an empty vector.</summary>
public enum NoDataPolicy
{
    Inconclusive,
    Fail,
    Pass,
}

/// <summary>One metric: a Prometheus query, when to measure it, and what counts as success or failure.</summary>
public sealed record AnalysisMetric
{
    /// <summary>How often a metric is measured when <see cref="Interval"/> is unset.</summary>
    public static readonly Duration DefaultInterval = Duration.Of(TimeSpan.FromSeconds(30));

    public required string Name { get; init; }

    /// <summary>The Prometheus to ask; the run's default when unset.</summary>
    public string? Address { get; init; }

    public required string Query { get; init; }
    public Duration? Interval { get; init; }
    public int? Count { get; init; }
    public Duration? InitialDelay { get; init; }
    /// <summary>A <see cref="Condition"/>; it may refer to arguments (<c>result &lt; {{max-error-rate}}</c>), which each run binds as values.</summary>
    public string? SuccessCondition { get; init; }

    public string? FailureCondition { get; init; }
    public int? FailureLimit { get; init; }
    public int? InconclusiveLimit { get; init; }
    public int? ConsecutiveErrorLimit { get; init; }
    public NoDataPolicy? NoData { get; init; }

    /// <summary>Measured and reported, but never fails the run.</summary>
    public bool? DryRun { get; init; }

    /// <summary>When set, the metric is judged canary against baseline rather than checked against conditions.</summary>
    public JudgeSpec? Judge { get; init; }
}

/// <summary>A canary-versus-baseline judgement: the baseline's query, the window both are read over, and the test's settings.</summary>
public sealed record JudgeSpec
{
    /// <summary>The window both sides are read over when <see cref="Window"/> is unset.</summary>
    public static readonly Duration DefaultWindow = Duration.Of(TimeSpan.FromMinutes(10));

    /// <summary>The range query's step when <see cref="Step"/> is unset.</summary>
    public static readonly Duration DefaultStep = Duration.Of(TimeSpan.FromSeconds(30));

    public required string BaselineQuery { get; init; }
    public Duration? Window { get; init; }
    public Duration? Step { get; init; }
    public JudgeDirection? Direction { get; init; }
    public double? Confidence { get; init; }
    public double? EffectSize { get; init; }
    public NanStrategy? NanStrategy { get; init; }
    public double? NanReplacement { get; init; }
    public bool? Critical { get; init; }
    public double? Weight { get; init; }
    public int? MinimumPoints { get; init; }
}
