using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace LightMesh.Testing;

/// <summary>
/// Every PromQL expression the repository ships for monitoring: the Grafana dashboards' panel targets, annotation
/// queries and query variables, and the Prometheus rules; and those expressions as Grafana would send them.
/// </summary>
public static partial class MonitoringQueries
{
    /// <summary>An expression and where it is (<c>releases.json: panel "Canary weight by service" A</c>).</summary>
    public sealed record Query(string Where, string Expression)
    {
        public override string ToString() => $"{Where}: {Expression}";
    }

    /// <summary>What Grafana puts in for its own variables; a dashboard's variables are the caller's to give.</summary>
    private static readonly Dictionary<string, string> Builtins = new(StringComparer.Ordinal)
    {
        ["__rate_interval"] = "1m",
        ["__interval"] = "15s",
        ["__interval_ms"] = "15000",
        ["__range"] = "1h",
        ["__range_s"] = "3600",
    };

    public static string RulesFile => Path.Combine(Repository.Root, "deploy", "prometheus", "rules.yml");

    public static string Dashboard(string name) => Path.Combine(Repository.Root, "dashboards", name);

    public static IReadOnlyList<string> Dashboards =>
        [.. Directory.GetFiles(Path.Combine(Repository.Root, "dashboards"), "*.json").Order(StringComparer.Ordinal)];

    /// <summary>Every dashboard's expressions, then the rules'.</summary>
    public static IReadOnlyList<Query> All() => [.. Dashboards.SelectMany(OfDashboard), .. OfRules(RulesFile)];

    /// <summary>A dashboard's expressions: panel targets (rows' panels too), annotation queries and query variables.</summary>
    public static IReadOnlyList<Query> OfDashboard(string file)
    {
        var name = Path.GetFileName(file);
        var dashboard = JsonNode.Parse(File.ReadAllText(file)) ?? throw new InvalidDataException($"{name}: empty");
        var panels = Items(dashboard["panels"]).SelectMany(p => Items(p["panels"]).Prepend(p));
        var targets = panels.SelectMany(p => Items(p["targets"]).Select(t => (Where: $"panel \"{Text(p["title"])}\" {Text(t["refId"])}", Expr: Text(t["expr"]))));
        var annotations = Items(dashboard["annotations"]?["list"]).Select(a => (Where: $"annotation \"{Text(a["name"])}\"", Expr: Text(a["expr"])));
        var variables = Items(dashboard["templating"]?["list"]).Where(v => Text(v["type"]) == "query")
            .Select(v => (Where: $"variable {Text(v["name"])}", Expr: VariableExpression(v["query"] is JsonObject q ? Text(q["query"]) : Text(v["query"]))));
        return [.. targets.Concat(annotations).Concat(variables).Where(q => q.Expr.Length > 0).Select(q => new Query($"{name}: {q.Where}", q.Expr))];
    }

    /// <summary>The <c>expr</c> of every recording and alerting rule.</summary>
    public static IReadOnlyList<Query> OfRules(string file)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(file))
        {
            yaml.Load(reader);
        }

        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
        return
        [
            .. groups.Cast<YamlMappingNode>()
                .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
                .Select(rule => new Query($"{Path.GetFileName(file)}: {RuleName(rule)}", ((YamlScalarNode)rule["expr"]).Value!.Trim())),
        ];
    }

    /// <summary>
    /// <paramref name="expression"/> with Grafana's variables (<c>$__rate_interval</c>, <c>$service</c>, <c>${service}</c>,
    /// <c>[[service]]</c>) replaced; one with no value given is an error naming it.
    /// </summary>
    public static string Concrete(string expression, IReadOnlyDictionary<string, string> variables) =>
        Variable().Replace(expression, m =>
        {
            var name = new[] { m.Groups[1], m.Groups[2], m.Groups[3] }.First(g => g.Success).Value;
            return variables.TryGetValue(name, out var value) || Builtins.TryGetValue(name, out value)
                ? value
                : throw new KeyNotFoundException($"no value for Grafana variable ${name} in {expression}");
        });

    /// <summary>The PromQL inside a query variable's <c>label_values(EXPR, label)</c> or <c>query_result(EXPR)</c>; else none.</summary>
    private static string VariableExpression(string query) =>
        LabelValues().Match(query) is { Success: true } m ? m.Groups[1].Value.Trim()
        : QueryResult().Match(query) is { Success: true } r ? r.Groups[1].Value.Trim()
        : "";

    private static string RuleName(YamlMappingNode rule) =>
        ((YamlScalarNode)(rule.Children.TryGetValue("record", out var record) ? record : rule["alert"])).Value!;

    private static IEnumerable<JsonNode> Items(JsonNode? array) => array is JsonArray items ? items.OfType<JsonNode>() : [];

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";

    [GeneratedRegex(@"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();

    [GeneratedRegex(@"^\s*label_values\((.+),\s*\w+\s*\)\s*$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^\s*query_result\((.+)\)\s*$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex QueryResult();
}
