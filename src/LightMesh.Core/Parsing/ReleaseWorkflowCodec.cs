using System.Text.Json.Nodes;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of a ReleaseWorkflow: each step is an object with exactly one of the step names.</summary>
internal static class ReleaseWorkflowCodec
{
    private static readonly string[] StepTypes = ["deploy", "setWeight", "pause", "analysis", "approval", "webhook", "promote"];

    public static ReleaseWorkflowSpec? ReadSpec(ReadContext context, JsonObject spec)
    {
        // Steps keep their document index, so every error names the step it is about.
        var indexed = new List<(int Index, ReleaseStep Step)>();
        var position = 0;
        context.List(spec, "spec", "steps", (node, path) =>
        {
            var step = ReadStep(context, node, path);
            if (step is not null)
            {
                indexed.Add((position, step));
            }

            position++;
            return step;
        }, required: true);
        var stepCount = position;
        var steps = indexed.Select(x => x.Step).ToList();
        var promotes = indexed.Where(x => x.Step is PromoteStep).ToList();
        if (promotes.Count > 1 || (promotes.Count == 1 && promotes[0].Index != stepCount - 1))
        {
            context.Error($"spec.steps[{promotes[0].Index}]", "promote must be the last step, and only once");
        }

        var firstDeploy = indexed.FirstOrDefault(x => x.Step is DeployStep, (-1, null!)).Index;
        foreach (var (index, step) in indexed)
        {
            if (step is SetWeightStep { Weight: > 0 } && (firstDeploy < 0 || firstDeploy > index))
            {
                context.Error($"spec.steps[{index}].setWeight", "sends traffic to the canary before a deploy step runs it");
            }
        }

        BackgroundAnalysis? background = null;
        if (context.OptionalObject(spec, "spec", "backgroundAnalysis", "templates", "args", "startingStep") is { } bg)
        {
            const string path = "spec.backgroundAnalysis";
            var templates = context.StringList(bg, path, "templates", Names.CheckDns1123Subdomain, required: true);
            var args = context.StringMap(bg, path, "args", k => k.Length > 0 ? null : "must not be empty", _ => null) ?? new Dictionary<string, string>();
            var starting = context.Int(bg, path, "startingStep", 0, Math.Max(0, stepCount - 1));
            background = new BackgroundAnalysis(templates, args, starting);
        }

        var policyText = context.String(spec, "spec", "onInconclusive");
        InconclusivePolicy? policy = policyText switch { null => null, "pause" => InconclusivePolicy.Pause, "rollback" => InconclusivePolicy.Rollback, _ => null };
        if (policyText is not null && policy is null)
        {
            context.Error("spec.onInconclusive", $"\"{policyText}\" must be pause or rollback");
        }

        var notifications = context.StringList(spec, "spec", "notifications", CheckUrl);
        return new ReleaseWorkflowSpec
        {
            Steps = steps, BackgroundAnalysis = background, ProgressDeadline = context.Duration(spec, "spec", "progressDeadline", TimeSpan.FromSeconds(1)),
            OnInconclusive = policy, Notifications = notifications,
        };
    }

    private static string? CheckUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null : $"\"{url}\" must be an http:// or https:// URL";

    private static ReleaseStep? ReadStep(ReadContext context, JsonNode? node, string path)
    {
        if (node is not JsonObject obj || obj.Count != 1)
        {
            context.Error(path, $"must be an object with exactly one of {string.Join(", ", StepTypes)}");
            return null;
        }

        var (type, value) = obj.First();
        var at = $"{path}.{type}";
        switch (type)
        {
            case "deploy":
                var deploy = value is null ? null : context.Object(value, at, "replicas");
                return new DeployStep(deploy is null ? null : context.Int(deploy, at, "replicas", 1, 50));
            case "setWeight":
                return context.Int(obj, path, "setWeight", 0, 100, required: true) is { } weight ? new SetWeightStep(weight) : null;
            case "pause":
                var pause = value is null ? null : context.Object(value, at, "duration");
                return new PauseStep(pause is null ? null : context.Duration(pause, at, "duration", TimeSpan.FromSeconds(1)));
            case "analysis":
                var analysis = context.Object(value, at, "templates", "args");
                return analysis is null ? null : new AnalysisStep(
                    context.StringList(analysis, at, "templates", Names.CheckDns1123Subdomain, required: true),
                    context.StringMap(analysis, at, "args", k => k.Length > 0 ? null : "must not be empty", _ => null) ?? new Dictionary<string, string>());
            case "approval":
                _ = value is null ? null : context.Object(value, at);
                return new ApprovalStep();
            case "webhook":
                return ReadWebhook(context, value, at);
            case "promote":
                _ = value is null ? null : context.Object(value, at);
                return new PromoteStep();
            default:
                context.Error(at, $"unknown step \"{type}\" (known: {string.Join(", ", StepTypes)})");
                return null;
        }
    }

    private static WebhookStep? ReadWebhook(ReadContext context, JsonNode? value, string at)
    {
        var obj = context.Object(value, at, "url", "method", "headers", "body", "timeout", "expectStatus");
        if (obj is null)
        {
            return null;
        }

        var url = context.String(obj, at, "url", required: true);
        if (url is not null && CheckUrl(url) is { } problem)
        {
            context.Error($"{at}.url", problem);
        }

        var method = context.String(obj, at, "method");
        if (method is not null && method is not ("GET" or "POST" or "PUT"))
        {
            context.Error($"{at}.method", $"\"{method}\" must be GET, POST or PUT");
        }

        return url is null ? null : new WebhookStep
        {
            Url = url, Method = method,
            Headers = context.StringMap(obj, at, "headers", k => k.Length > 0 ? null : "must not be empty", _ => null),
            Body = context.String(obj, at, "body"),
            Timeout = context.Duration(obj, at, "timeout", TimeSpan.FromMilliseconds(1)),
            ExpectStatus = context.Int(obj, at, "expectStatus", 100, 599),
        };
    }

    public static JsonObject WriteSpec(ReleaseWorkflowSpec spec) => new JsonObject()
        .Set("progressDeadline", spec.ProgressDeadline?.Text)
        .Set("onInconclusive", spec.OnInconclusive?.ToString().ToLowerInvariant())
        .Set("notifications", spec.Notifications, n => JsonValue.Create(n))
        .Set("backgroundAnalysis", spec.BackgroundAnalysis is not { } bg ? null : new JsonObject()
            .Set("templates", bg.Templates, t => JsonValue.Create(t))
            .Set("args", bg.Args.Count == 0 ? null : bg.Args)
            .Set("startingStep", bg.StartingStep))
        .Set("steps", spec.Steps, WriteStep);

    private static JsonObject WriteStep(ReleaseStep step) => new JsonObject().Set(step.Type, step switch
    {
        DeployStep d => new JsonObject().Set("replicas", d.Replicas),
        SetWeightStep w => JsonValue.Create(w.Weight),
        PauseStep p => new JsonObject().Set("duration", p.Duration?.Text),
        AnalysisStep a => new JsonObject().Set("templates", a.Templates, t => JsonValue.Create(t)).Set("args", a.Args.Count == 0 ? null : a.Args),
        WebhookStep h => new JsonObject().Set("url", h.Url).Set("method", h.Method).Set("headers", h.Headers).Set("body", h.Body)
            .Set("timeout", h.Timeout?.Text).Set("expectStatus", h.ExpectStatus),
        _ => new JsonObject(),
    });
}
