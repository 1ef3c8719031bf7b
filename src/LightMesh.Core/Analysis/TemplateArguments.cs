namespace LightMesh.Core.Analysis;

/// <summary>
/// Whether arguments given for a set of AnalysisTemplates are ones they declare, with values they can take: checked when a
/// release starts (API, CLI, webhook, schedule), when a workflow, ReleaseTrigger or Schedule is applied, and by
/// <c>lightmesh analyze</c>, before anything runs. A value is checked where each template uses it: a condition needs a
/// literal of the type the argument's place gives it (<see cref="ConditionLiteral"/>); a query or an address needs a
/// value <see cref="AnalysisArguments.IsSafeInQuery"/> takes.
/// </summary>
public static class TemplateArguments
{
    /// <param name="templates">The templates the arguments are for (those a workflow runs, or the one analysed).</param>
    /// <param name="values">The arguments given, by name.</param>
    /// <param name="builtInGiven">True when the caller gives the built-in arguments itself (<c>lightmesh analyze</c>); a release gives them, so they cannot be set.</param>
    /// <param name="scope">What runs the templates, for messages: "workflow canary", "step 3", "this analysis".</param>
    /// <returns>Every problem, one per argument name at most per kind of use, names in order.</returns>
    public static IReadOnlyList<ArgumentProblem> Check(
        IReadOnlyList<AnalysisTemplate> templates, IReadOnlyDictionary<string, string> values, bool builtInGiven, string scope) =>
        Check(templates.Select(t => ((string?)t.Name, t.Spec)).ToList(), values, builtInGiven, scope);

    internal static IReadOnlyList<ArgumentProblem> Check(
        IReadOnlyList<(string? Name, AnalysisTemplateSpec Spec)> templates, IReadOnlyDictionary<string, string> values, bool builtInGiven, string scope)
    {
        var declared = templates.SelectMany(t => t.Spec.Args.Select(a => a.Name)).ToHashSet(StringComparer.Ordinal);
        var problems = new List<ArgumentProblem>();
        foreach (var (name, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var builtIn = AnalysisArguments.BuiltIn.Contains(name);
            if (builtIn && !builtInGiven)
            {
                problems.Add(new ArgumentProblem(name, $"is given by every run ({string.Join(", ", AnalysisArguments.BuiltIn)}) and cannot be set"));
            }
            else if (!builtIn && !declared.Contains(name))
            {
                problems.Add(new ArgumentProblem(name, Undeclared(templates, scope)));
            }
            else
            {
                problems.AddRange(CheckValue(templates, name, value));
            }
        }

        return problems;
    }

    /// <summary>
    /// Problems with one value where <paramref name="templates"/> use it: the first condition and the first query that
    /// cannot take it. A template without a name (one being read) is left out of the messages.
    /// </summary>
    internal static IEnumerable<ArgumentProblem> CheckValue(IReadOnlyList<(string? Name, AnalysisTemplateSpec Spec)> templates, string name, string value)
    {
        var uses = templates.SelectMany(t => t.Spec.Metrics.Select(m => (Template: t.Name, Metric: m))).ToList();
        var condition = uses
            .SelectMany(u => new[] { ("successCondition", u.Metric.SuccessCondition), ("failureCondition", u.Metric.FailureCondition) }
                .Select(f => (u.Template, u.Metric.Name, Field: f.Item1, Argument: ArgumentIn(f.Item2, name))))
            .FirstOrDefault(c => c.Argument is { } argument && !ConditionLiteral.TryRead(value, argument.Type, out _));
        if (condition.Argument is { } typed)
        {
            yield return new ArgumentProblem(name,
                $"{ConditionLiteral.Refusal(value, typed.Type)}, which {condition.Field} of {Where(condition.Template, condition.Name)} needs");
        }

        var text = AnalysisArguments.IsSafeInQuery(value) ? default : uses
            .SelectMany(u => new[] { ("query", u.Metric.Query), ("address", u.Metric.Address), ("baseline query", u.Metric.Judge?.BaselineQuery) }
                .Select(f => (u.Template, u.Metric.Name, Field: f.Item1, Text: f.Item2)))
            .FirstOrDefault(f => f.Text is not null && AnalysisArguments.Referenced(f.Text).Contains(name, StringComparer.Ordinal));
        if (text.Text is not null)
        {
            yield return new ArgumentProblem(name,
                $"{AnalysisArguments.Show(value)} cannot go into the {text.Field} of {Where(text.Template, text.Name)}: a query argument holds {AnalysisArguments.QueryValueRule}");
        }
    }

    private static string Where(string? template, string metric) => template is null ? $"metric {metric}" : $"{template}/{metric}";

    private static ConditionArgument? ArgumentIn(string? condition, string name) =>
        condition is null ? null : Condition.TryParse(condition, out _)?.Arguments.FirstOrDefault(a => a.Name == name);

    private static string Undeclared(IReadOnlyList<(string? Name, AnalysisTemplateSpec Spec)> templates, string scope)
    {
        if (templates.Count == 0)
        {
            return $"is not declared: {scope} runs no AnalysisTemplate, so it takes no arguments";
        }

        var each = templates.Select(t => $"{t.Name} ({(t.Spec.Args.Count == 0 ? "none" : string.Join(", ", t.Spec.Args.Select(a => a.Name)))})");
        return $"is not declared by the AnalysisTemplate{(templates.Count > 1 ? "s" : "")} {scope} runs: {string.Join(", ", each)}";
    }
}
