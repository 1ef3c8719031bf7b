using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Core.Analysis;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of an AnalysisTemplate, checking conditions and argument references.</summary>
internal static class AnalysisTemplateCodec
{
    private static readonly string[] MetricFields =
    [
        "name", "provider", "interval", "count", "initialDelay", "successCondition", "failureCondition", "failureLimit",
        "inconclusiveLimit", "consecutiveErrorLimit", "noData", "dryRun", "judge",
    ];

    private static readonly string[] JudgeFields =
        ["baselineQuery", "window", "step", "direction", "confidence", "effectSize", "nanStrategy", "nanReplacement", "critical", "weight", "minimumPoints"];

    public static AnalysisTemplateSpec? ReadSpec(ReadContext context, JsonObject spec)
    {
        var args = context.List(spec, "spec", "args", (node, path) =>
        {
            var obj = context.Object(node, path, "name", "value");
            var name = obj is null ? null : context.String(obj, path, "name", required: true);
            if (name is not null && AnalysisArguments.BuiltIn.Contains(name))
            {
                context.Error($"{path}.name", $"\"{name}\" is given by every run; do not declare it");
            }

            return name is null ? null : new AnalysisArgument(name, context.String(obj!, path, "value"));
        });
        var known = args.Select(a => a.Name).Concat(AnalysisArguments.BuiltIn).ToHashSet(StringComparer.Ordinal);
        var before = context.ErrorCount;
        var metrics = context.List(spec, "spec", "metrics", (node, path) => ReadMetric(context, node, path, known), required: true);
        foreach (var duplicate in metrics.GroupBy(m => m.Name).Where(g => g.Count() > 1))
        {
            context.Error("spec.metrics", $"metric \"{duplicate.Key}\" is defined more than once");
        }

        if (context.ErrorCount == before)
        {
            CheckArgumentUses(context, args, metrics);
        }

        ScoreThresholds? scoring = null;
        if (context.OptionalObject(spec, "spec", "scoring", "pass", "marginal") is { } scoringObj)
        {
            scoring = new ScoreThresholds(Number(context, scoringObj, "spec.scoring", "pass", 0, 100), Number(context, scoringObj, "spec.scoring", "marginal", 0, 100));
            if ((scoring.Marginal ?? ScoreThresholds.DefaultMarginal) > (scoring.Pass ?? ScoreThresholds.DefaultPass))
            {
                context.Error("spec.scoring.marginal", "must not be above pass");
            }
        }

        return new AnalysisTemplateSpec { Args = args, Metrics = metrics, Scoring = scoring };
    }

    private static AnalysisMetric? ReadMetric(ReadContext context, JsonNode? node, string path, HashSet<string> known)
    {
        var obj = context.Object(node, path, MetricFields);
        if (obj is null)
        {
            return null;
        }

        var before = context.ErrorCount;
        var name = context.String(obj, path, "name", required: true);
        if (name is not null && Names.CheckDns1123Label(name) is { } nameProblem)
        {
            context.Error($"{path}.name", nameProblem);
        }

        string? address = null;
        string? query = null;
        if (context.OptionalObject(obj, path, "provider", "prometheus") is { } provider)
        {
            if (context.OptionalObject(provider, $"{path}.provider", "prometheus", "address", "query") is { } prometheus)
            {
                var at = $"{path}.provider.prometheus";
                address = context.String(prometheus, at, "address");
                if (address is not null && !(Uri.TryCreate(address.Replace("{{", "x", StringComparison.Ordinal).Replace("}}", "x", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                {
                    context.Error($"{at}.address", $"\"{address}\" must be an http:// or https:// URL");
                }

                query = context.String(prometheus, at, "query", required: true);
                CheckReferences(context, $"{at}.query", query, known);
                CheckReferences(context, $"{at}.address", address, known);
            }
            else
            {
                context.Error($"{path}.provider.prometheus", "is required (the only provider)");
            }
        }
        else
        {
            context.Error($"{path}.provider", "is required");
        }

        var success = ReadCondition(context, obj, path, "successCondition", known);
        var failure = ReadCondition(context, obj, path, "failureCondition", known);
        var noDataText = context.String(obj, path, "noData");
        NoDataPolicy? noData = noDataText switch
        {
            null => null,
            "inconclusive" => NoDataPolicy.Inconclusive,
            "fail" => NoDataPolicy.Fail,
            "pass" => NoDataPolicy.Pass,
            _ => null,
        };
        if (noDataText is not null && noData is null)
        {
            context.Error($"{path}.noData", $"\"{noDataText}\" must be inconclusive, fail or pass");
        }

        var judge = ReadJudge(context, obj, path, known);
        if (judge is not null && (success is not null || failure is not null))
        {
            context.Error($"{path}.judge", "a judged metric has no success or failure condition; the judgement decides");
        }

        var metric = new AnalysisMetric
        {
            Name = name ?? "",
            Address = address,
            Query = query ?? "",
            Interval = context.Duration(obj, path, "interval", TimeSpan.FromMilliseconds(100)),
            Count = context.Int(obj, path, "count", 1, 10_000),
            InitialDelay = context.Duration(obj, path, "initialDelay", TimeSpan.Zero),
            SuccessCondition = success,
            FailureCondition = failure,
            FailureLimit = context.Int(obj, path, "failureLimit", 0, 10_000),
            InconclusiveLimit = context.Int(obj, path, "inconclusiveLimit", 0, 10_000),
            ConsecutiveErrorLimit = context.Int(obj, path, "consecutiveErrorLimit", 0, 10_000),
            NoData = noData,
            DryRun = context.Bool(obj, path, "dryRun"),
            Judge = judge,
        };
        return context.ErrorCount == before ? metric : null;
    }

    private static void CheckReferences(ReadContext context, string path, string? text, HashSet<string> known)
    {
        foreach (var name in AnalysisArguments.Referenced(text ?? "").Where(n => !known.Contains(n)).Distinct(StringComparer.Ordinal))
        {
            context.Error(path, $"unknown argument \"{name}\" (declare it under spec.args, or use one of {string.Join(", ", AnalysisArguments.BuiltIn)})");
        }
    }

    /// <summary>Checks a condition's syntax, its arguments included (they are values bound later, never text parsed), and that each is declared.</summary>
    private static string? ReadCondition(ReadContext context, JsonObject obj, string path, string field, HashSet<string> known)
    {
        var text = context.String(obj, path, field);
        if (text is null)
        {
            return null;
        }

        CheckReferences(context, $"{path}.{field}", text, known);
        if (Condition.TryParse(text, out var error) is null)
        {
            context.Error($"{path}.{field}", $"{AnalysisArguments.Show(text)}: {error}");
        }

        return text;
    }

    /// <summary>
    /// An argument has one type across the template's conditions (a number, or true/false), and a default value must be a
    /// value its every use takes: a literal of that type in a condition, a safe value in a query.
    /// </summary>
    private static void CheckArgumentUses(ReadContext context, IReadOnlyList<AnalysisArgument> args, IReadOnlyList<AnalysisMetric> metrics)
    {
        var typed = new Dictionary<string, (ConditionValueType Type, string Path)>(StringComparer.Ordinal);
        for (var i = 0; i < metrics.Count; i++)
        {
            foreach (var (field, text) in new[] { ("successCondition", metrics[i].SuccessCondition), ("failureCondition", metrics[i].FailureCondition) })
            {
                var path = $"spec.metrics[{i}].{field}";
                foreach (var argument in (text is null ? null : Condition.TryParse(text, out _))?.Arguments ?? [])
                {
                    if (!typed.TryAdd(argument.Name, (argument.Type, path)) && typed[argument.Name].Type != argument.Type)
                    {
                        context.Error(path, $"argument \"{argument.Name}\" is {Kind(argument.Type)} here but {Kind(typed[argument.Name].Type)} in {typed[argument.Name].Path}");
                    }
                }
            }
        }

        var spec = new AnalysisTemplateSpec { Args = args, Metrics = metrics };
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].Value is { } value)
            {
                foreach (var problem in TemplateArguments.CheckValue([(null, spec)], args[i].Name, value))
                {
                    context.Error($"spec.args[{i}].value", problem.Message);
                }
            }
        }

        static string Kind(ConditionValueType type) => type == ConditionValueType.Number ? "a number" : "a condition";
    }

    private static JudgeSpec? ReadJudge(ReadContext context, JsonObject metric, string metricPath, HashSet<string> known)
    {
        var obj = context.OptionalObject(metric, metricPath, "judge", JudgeFields);
        if (obj is null)
        {
            return null;
        }

        var path = $"{metricPath}.judge";
        var baseline = context.String(obj, path, "baselineQuery", required: true);
        CheckReferences(context, $"{path}.baselineQuery", baseline, known);
        var directionText = context.String(obj, path, "direction");
        JudgeDirection? direction = directionText switch
        {
            null => null,
            "increase" => JudgeDirection.Increase,
            "decrease" => JudgeDirection.Decrease,
            "either" => JudgeDirection.Either,
            _ => null,
        };
        if (directionText is not null && direction is null)
        {
            context.Error($"{path}.direction", $"\"{directionText}\" must be increase, decrease or either");
        }

        var nanText = context.String(obj, path, "nanStrategy");
        NanStrategy? nan = nanText switch { null => null, "remove" => NanStrategy.Remove, "replace" => NanStrategy.Replace, _ => null };
        if (nanText is not null && nan is null)
        {
            context.Error($"{path}.nanStrategy", $"\"{nanText}\" must be remove or replace");
        }

        var before = context.ErrorCount;
        var window = context.Duration(obj, path, "window", TimeSpan.FromSeconds(1));
        var step = context.Duration(obj, path, "step", TimeSpan.FromMilliseconds(1));
        var confidence = Number(context, obj, path, "confidence", 0.5, 0.9999);
        if (context.ErrorCount == before)
        {
            CheckPoints(context, path, window, step, confidence);
        }

        return baseline is null ? null : new JudgeSpec
        {
            BaselineQuery = baseline,
            Window = window,
            Step = step,
            Direction = direction,
            Confidence = confidence,
            EffectSize = Number(context, obj, path, "effectSize", 0, 100),
            NanStrategy = nan,
            NanReplacement = Number(context, obj, path, "nanReplacement", double.MinValue, double.MaxValue),
            Critical = context.Bool(obj, path, "critical"),
            Weight = Number(context, obj, path, "weight", 0, 1_000_000),
            MinimumPoints = context.Int(obj, path, "minimumPoints", 1, 100_000),
        };
    }

    /// <summary>
    /// Refuses a window that cannot give the points its confidence needs: every judgement over it would have no data
    /// (the judge will not pass what it could not have failed). A low <c>minimumPoints</c> is not refused: the judge
    /// takes the larger of it and the confidence's need.
    /// </summary>
    private static void CheckPoints(ReadContext context, string path, Duration? window, Duration? step, double? confidence)
    {
        var (w, s, c) = (window ?? JudgeSpec.DefaultWindow, step ?? JudgeSpec.DefaultStep, confidence ?? JudgeMetric.DefaultConfidence);
        var points = JudgePower.PointsInWindow(w.Value, s.Value);
        var needed = JudgePower.PointsNeeded(c);
        if (points < needed)
        {
            // The error goes on the field the author wrote that falls short: the window, else the step, else the confidence.
            var field = window is not null ? "window" : step is not null ? "step" : "confidence";
            context.Error($"{path}.{field}", string.Create(CultureInfo.InvariantCulture,
                $"{w}{(window is null ? " (the default)" : "")} at step {s}{(step is null ? " (the default)" : "")} gives {points} point{(points == 1 ? "" : "s")} per side; confidence {c} needs at least {needed}"));
        }
    }

    private static double? Number(ReadContext context, JsonObject obj, string path, string field, double min, double max)
    {
        if (!ReadContext.Present(obj, field))
        {
            return null;
        }

        if (obj[field] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) is var number && number >= min && number <= max)
        {
            return number;
        }

        context.Error($"{path}.{field}", $"must be a number from {min} to {max}");
        return null;
    }

    public static JsonObject WriteSpec(AnalysisTemplateSpec spec) => new JsonObject()
        .Set("args", spec.Args, a => new JsonObject().Set("name", a.Name).Set("value", a.Value))
        .Set("metrics", spec.Metrics, m => new JsonObject()
            .Set("name", m.Name)
            .Set("provider", new JsonObject().Set("prometheus", new JsonObject().Set("address", m.Address).Set("query", m.Query)))
            .Set("interval", m.Interval?.Text)
            .Set("count", m.Count)
            .Set("initialDelay", m.InitialDelay?.Text)
            .Set("successCondition", m.SuccessCondition)
            .Set("failureCondition", m.FailureCondition)
            .Set("failureLimit", m.FailureLimit)
            .Set("inconclusiveLimit", m.InconclusiveLimit)
            .Set("consecutiveErrorLimit", m.ConsecutiveErrorLimit)
            .Set("noData", m.NoData?.ToString().ToLowerInvariant())
            .Set("dryRun", m.DryRun)
            .Set("judge", m.Judge is not { } j ? null : new JsonObject()
                .Set("baselineQuery", j.BaselineQuery).Set("window", j.Window?.Text).Set("step", j.Step?.Text)
                .Set("direction", j.Direction?.ToString().ToLowerInvariant()).SetNumber("confidence", j.Confidence)
                .SetNumber("effectSize", j.EffectSize).Set("nanStrategy", j.NanStrategy?.ToString().ToLowerInvariant())
                .SetNumber("nanReplacement", j.NanReplacement).Set("critical", j.Critical).SetNumber("weight", j.Weight)
                .Set("minimumPoints", j.MinimumPoints)))
        .Set("scoring", spec.Scoring is not { } scoring ? null : new JsonObject().SetNumber("pass", scoring.Pass).SetNumber("marginal", scoring.Marginal));
}
