using System.Text.Json.Nodes;
using LightMesh.Core.Releases;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Parsing;

/// <summary>Reads and writes the <c>spec</c> of a ReleaseWorkflow: each step is an object with exactly one of the step names.</summary>
internal static class ReleaseWorkflowCodec
{
    private static readonly string[] StepTypes = ["deploy", "setWeight", "setHeaderRoute", "setMirrorRoute", "pause", "analysis", "approval", "webhook", "promote"];

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

            if (step is ReleaseRouteStep { Removes: false } && (firstDeploy < 0 || firstDeploy > index))
            {
                context.Error($"spec.steps[{index}].{step.Type}", "sends traffic to the canary before a deploy step runs it");
            }
        }

        CheckReleaseRoutes(context, indexed);

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
        var postPromotion = ReadContext.Present(spec, "postPromotionAnalysis") ? ReadAnalysis(context, spec["postPromotionAnalysis"], "spec.postPromotionAnalysis") : null;
        var strategy = ReadStrategy(context, spec, indexed);
        var window = context.OptionalObject(spec, "spec", "rollbackWindow", "duration") is { } windowObj
            ? context.Duration(windowObj, "spec.rollbackWindow", "duration", TimeSpan.FromSeconds(1), required: true)
            : null;
        var scaleDownDelay = context.Duration(spec, "spec", "scaleDownDelay", TimeSpan.FromSeconds(1));
        var prePromotion = ReadContext.Present(spec, "prePromotionAnalysis") ? ReadAnalysis(context, spec["prePromotionAnalysis"], "spec.prePromotionAnalysis") : null;
        var blueGreen = strategy == ReleaseStrategy.BlueGreen;
        foreach (var (field, set, allowed) in new[] { ("rollbackWindow", window is not null, !blueGreen), ("scaleDownDelay", scaleDownDelay is not null, blueGreen), ("prePromotionAnalysis", prePromotion is not null, blueGreen) })
        {
            if (set && !allowed)
            {
                context.Error($"spec.{field}", blueGreen
                    ? "a blueGreen workflow keeps the old version after the switch for scaleDownDelay"
                    : "is for strategy: blueGreen; a canary workflow runs analysis steps, and keeps the old version for rollbackWindow");
            }
        }
        var session = ReadSessionAffinity(context, spec, indexed, blueGreen);
        return new ReleaseWorkflowSpec
        {
            SessionAffinity = session,
            Steps = steps, BackgroundAnalysis = background, ProgressDeadline = context.Duration(spec, "spec", "progressDeadline", TimeSpan.FromSeconds(1)),
            OnInconclusive = policy, Notifications = notifications, PostPromotionAnalysis = postPromotion, RollbackWindow = blueGreen ? scaleDownDelay : window,
            Strategy = strategy, PrePromotionAnalysis = blueGreen ? prePromotion : null,
        };
    }

    /// <summary>
    /// <c>sessionAffinity: {cookieName, maxAge}</c> (<c>maxAge</c> a duration, a day when unset). Canary only: a blue-green
    /// preview takes no share by weight, so no caller lands on it to stay. Its route's name is the release's own.
    /// </summary>
    private static SessionAffinity? ReadSessionAffinity(ReadContext context, JsonObject spec, IReadOnlyList<(int Index, ReleaseStep Step)> steps, bool blueGreen)
    {
        const string path = "spec.sessionAffinity";
        if (context.OptionalObject(spec, "spec", "sessionAffinity", "cookieName", "maxAge") is not { } obj)
        {
            return null;
        }

        var cookie = context.String(obj, path, "cookieName", required: true);
        if (cookie is not null && CheckCookieName(cookie) is { } problem)
        {
            context.Error($"{path}.cookieName", problem);
            cookie = null;
        }

        var maxAge = context.Duration(obj, path, "maxAge", TimeSpan.FromSeconds(1)) ?? Duration.Of(TimeSpan.FromDays(1));
        if (blueGreen)
        {
            context.Error(path, "is for canary workflows: a blueGreen preview takes no share of the traffic by weight, so no caller lands on it to stay");
        }

        foreach (var (index, step) in steps)
        {
            if (step is ReleaseRouteStep { Name: ReleaseTraffic.SessionRoute } route)
            {
                context.Error($"spec.steps[{index}].{route.Type}.name", $"\"{ReleaseTraffic.SessionRoute}\" is the route sessionAffinity adds");
            }
        }

        return cookie is null ? null : new SessionAffinity(cookie, maxAge);
    }

    /// <summary>A cookie name is an HTTP token (RFC 6265): letters, digits and !#$%&amp;'*+-.^_`|~.</summary>
    private static string? CheckCookieName(string name) =>
        name.Length == 0 ? "must not be empty"
        : name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)) ? null
        : $"\"{name}\" must be a cookie name: letters, digits and !#$%&'*+-.^_`|~ only";

    /// <summary>
    /// <c>strategy: canary|blueGreen</c>. A blue-green workflow moves no weight (its preview is reached through its header
    /// route, <see cref="ReleaseStrategies.PreviewRoute"/>, whose name is the strategy's) and promotes at once.
    /// </summary>
    private static ReleaseStrategy? ReadStrategy(ReadContext context, JsonObject spec, IReadOnlyList<(int Index, ReleaseStep Step)> steps)
    {
        var text = context.String(spec, "spec", "strategy");
        ReleaseStrategy? strategy = text switch { null => null, "canary" => ReleaseStrategy.Canary, "blueGreen" => ReleaseStrategy.BlueGreen, _ => null };
        if (text is not null && strategy is null)
        {
            context.Error("spec.strategy", $"\"{text}\" must be canary or blueGreen");
        }

        if (strategy != ReleaseStrategy.BlueGreen)
        {
            return strategy;
        }

        foreach (var (index, step) in steps)
        {
            (string Field, string Message)? refused = step switch
            {
                SetWeightStep => ("setWeight", "a blueGreen workflow gives the preview no share of the traffic: it is reached through its header until promote switches all of it"),
                PromoteStep { Steps.Count: > 0 } => ("promote.steps", "a blueGreen promote switches all the traffic at once"),
                ReleaseRouteStep { Name: ReleaseStrategies.PreviewRoute } route => ($"{route.Type}.name", $"\"{ReleaseStrategies.PreviewRoute}\" is the blueGreen preview's own route"),
                _ => null,
            };
            if (refused is { } problem)
            {
                context.Error($"spec.steps[{index}].{problem.Field}", problem.Message);
            }
        }

        return strategy;
    }

    /// <summary>
    /// A release route (header or mirror: they share names) is set once until a step of its kind removes it, and only a
    /// route set earlier is removed.
    /// </summary>
    private static void CheckReleaseRoutes(ReadContext context, IReadOnlyList<(int Index, ReleaseStep Step)> steps)
    {
        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (index, step) in steps)
        {
            if (step is not ReleaseRouteStep route)
            {
                continue;
            }

            var at = $"spec.steps[{index}].{route.Type}.name";
            var setBy = set.GetValueOrDefault(route.Name);
            if (route.Removes && setBy != route.Type)
            {
                context.Error(at, setBy is null
                    ? $"\"{route.Name}\" removes a route no earlier step sets"
                    : $"\"{route.Name}\" is set by an earlier {setBy} step; remove it with {setBy} and only its name");
            }
            else if (route.Removes)
            {
                set.Remove(route.Name);
            }
            else if (setBy is not null)
            {
                context.Error(at, $"\"{route.Name}\" is set already by an earlier {setBy} step; remove it first ({setBy} with only its name) or give this one another name");
            }
            else
            {
                set[route.Name] = route.Type;
            }
        }
    }

    internal static string? CheckUrl(string url) =>
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
            case "setHeaderRoute":
                return ReadHeaderRoute(context, value, at);
            case "setMirrorRoute":
                return ReadMirrorRoute(context, value, at);
            case "pause":
                var pause = value is null ? null : context.Object(value, at, "duration");
                return new PauseStep(pause is null ? null : context.Duration(pause, at, "duration", TimeSpan.FromSeconds(1)));
            case "analysis":
                return ReadAnalysis(context, value, at);
            case "approval":
                var approval = value is null ? null : context.Object(value, at, "group");
                return new ApprovalStep { Group = approval is not null && context.Bool(approval, at, "group") == true };
            case "webhook":
                return ReadWebhook(context, value, at);
            case "promote":
                return ReadPromote(context, value, at);
            default:
                context.Error(at, $"unknown step \"{type}\" (known: {string.Join(", ", StepTypes)})");
                return null;
        }
    }

    /// <summary>
    /// <c>setHeaderRoute: {name, match: [{headerName, headerValue: {exact|prefix|regex}}, {cookieName, cookieValue: ...}]}</c>;
    /// every condition must hold. Without <c>match</c> the step removes the route of that name.
    /// </summary>
    private static SetHeaderRouteStep? ReadHeaderRoute(ReadContext context, JsonNode? value, string at)
    {
        var obj = context.Object(value, at, "name", "match");
        if (obj is null)
        {
            return null;
        }

        var name = ReadRouteName(context, obj, at);
        var matches = context.List(obj, at, "match", (node, path) => ReadHeaderMatch(context, node, path));
        if (ReadContext.Present(obj, "match") && matches.Count == 0 && obj["match"] is JsonArray { Count: 0 })
        {
            context.Error($"{at}.match", "must hold at least one condition; leave match out to remove the route");
        }

        foreach (var repeated in matches.GroupBy(m => m.Cookie ? "cookie" : m.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            context.Error($"{at}.match", repeated.Key == "cookie"
                ? "at most one cookie condition (they all match the cookie header)"
                : $"header \"{repeated.Key}\" has more than one condition");
        }

        return name is null ? null : new SetHeaderRouteStep(name, matches);
    }

    /// <summary>
    /// <c>setMirrorRoute: {name, percentage, match: [HTTPMatchRequest...]}</c>: a copy of <c>percentage</c> percent of the
    /// requests that meet any one of <c>match</c> (as a VirtualService's <c>http[].match</c>; every request of the default
    /// route when left out) goes to the canary. With only <c>name</c>, the step removes the route of that name.
    /// </summary>
    private static SetMirrorRouteStep? ReadMirrorRoute(ReadContext context, JsonNode? value, string at)
    {
        var obj = context.Object(value, at, "name", "percentage", "match");
        if (obj is null)
        {
            return null;
        }

        var name = ReadRouteName(context, obj, at);
        var percentage = context.Int(obj, at, "percentage", 1, 100);
        var matches = context.List(obj, at, "match", (node, path) => VirtualServiceCodec.ReadMatch(context, node, path));
        if (obj["match"] is JsonArray { Count: 0 })
        {
            context.Error($"{at}.match", "must hold at least one condition; leave match out to mirror every request of the default route");
        }
        else if (ReadContext.Present(obj, "match") && !ReadContext.Present(obj, "percentage"))
        {
            context.Error($"{at}.percentage", "is required to set a mirror route (1 to 100); give only the name to remove it");
        }

        return name is null ? null : new SetMirrorRouteStep(name, percentage, matches);
    }

    /// <summary>A release route's name: it becomes part of a route name, so a DNS-1123 label.</summary>
    private static string? ReadRouteName(ReadContext context, JsonObject obj, string at)
    {
        var name = context.String(obj, at, "name", required: true);
        if (name is not null && Names.CheckDns1123Label(name) is { } problem)
        {
            context.Error($"{at}.name", problem);
            return null;
        }

        return name;
    }

    private static HeaderRouteMatch? ReadHeaderMatch(ReadContext context, JsonNode? node, string path)
    {
        var obj = context.Object(node, path, "headerName", "headerValue", "cookieName", "cookieValue");
        if (obj is null)
        {
            return null;
        }

        var cookie = ReadContext.Present(obj, "cookieName") || ReadContext.Present(obj, "cookieValue");
        if (cookie && (ReadContext.Present(obj, "headerName") || ReadContext.Present(obj, "headerValue")))
        {
            context.Error(path, "must match a header (headerName, headerValue) or a cookie (cookieName, cookieValue), not both");
            return null;
        }

        var (nameField, valueField) = cookie ? ("cookieName", "cookieValue") : ("headerName", "headerValue");
        var name = context.String(obj, path, nameField, required: true);
        if (!ReadContext.Present(obj, valueField))
        {
            context.Error(ReadContext.Field(path, valueField), "is required");
            return null;
        }

        var match = VirtualServiceCodec.ReadStringMatch(context, obj[valueField], ReadContext.Field(path, valueField));
        if (name is null || match is null)
        {
            return null;
        }

        var problem = (cookie, name) switch
        {
            (_, "") => "must not be empty",
            (true, _) when !name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)) => $"\"{name}\" is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)",
            (false, _) when name.Any(char.IsAsciiLetterUpper) => "header names must be lower case",
            (false, _) when name.StartsWith(':') => "pseudo-headers cannot be matched",
            (false, "cookie") => "match a cookie with cookieName and cookieValue",
            _ => null,
        };
        if (problem is not null)
        {
            context.Error(ReadContext.Field(path, nameField), problem);
            return null;
        }

        return new HeaderRouteMatch(name, match, cookie);
    }

    /// <summary>
    /// <c>promote: {steps: [50, 100], interval: 5m}</c>: the canary's weights on its way to all the traffic (rising, the
    /// last 100), each held for <c>interval</c>; <c>promote: {}</c> moves it to 100 at once.
    /// </summary>
    private static PromoteStep? ReadPromote(ReadContext context, JsonNode? value, string at)
    {
        var obj = value is null ? null : context.Object(value, at, "steps", "interval");
        if (obj is null)
        {
            return value is null ? new PromoteStep() : null;
        }

        var steps = context.IntList(obj, at, "steps", 1, 100);
        if (obj["steps"] is JsonArray { Count: 0 })
        {
            context.Error($"{at}.steps", "must hold at least one weight; leave steps out to promote at once");
        }
        else if (steps.Count > 0 && (steps[^1] != 100 || steps.Zip(steps.Skip(1)).Any(pair => pair.First >= pair.Second)))
        {
            context.Error($"{at}.steps", $"[{string.Join(", ", steps)}] must rise and end at 100");
        }

        var interval = context.Duration(obj, at, "interval", TimeSpan.FromSeconds(1));
        if (interval is not null && steps.Count < 2)
        {
            context.Error($"{at}.interval", "holds each weight of steps below 100; it needs steps with at least one");
        }

        return new PromoteStep { Steps = steps, Interval = interval };
    }

    /// <summary><c>{templates, args}</c>: an analysis step, or the workflow's <c>postPromotionAnalysis</c>.</summary>
    internal static AnalysisStep? ReadAnalysis(ReadContext context, JsonNode? value, string at)
    {
        var analysis = context.Object(value, at, "templates", "args");
        return analysis is null ? null : new AnalysisStep(
            context.StringList(analysis, at, "templates", Names.CheckDns1123Subdomain, required: true),
            context.StringMap(analysis, at, "args", k => k.Length > 0 ? null : "must not be empty", _ => null) ?? new Dictionary<string, string>());
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
        .Set("sessionAffinity", spec.SessionAffinity is { } session ? new JsonObject().Set("cookieName", session.CookieName).Set("maxAge", session.MaxAge.Text) : null)
        .Set("strategy", spec.Strategy switch { ReleaseStrategy.BlueGreen => "blueGreen", ReleaseStrategy.Canary => "canary", _ => null })
        .Set("prePromotionAnalysis", spec.PrePromotionAnalysis is { } pre ? WriteAnalysis(pre) : null)
        .Set("postPromotionAnalysis", spec.PostPromotionAnalysis is { } post ? WriteAnalysis(post) : null)
        .Set("scaleDownDelay", spec.Strategy == ReleaseStrategy.BlueGreen ? spec.RollbackWindow?.Text : null)
        .Set("rollbackWindow", spec.Strategy != ReleaseStrategy.BlueGreen && spec.RollbackWindow is { } window ? new JsonObject().Set("duration", window.Text) : null)
        .Set("steps", spec.Steps, WriteStep);

    internal static JsonObject WriteAnalysis(AnalysisStep a) =>
        new JsonObject().Set("templates", a.Templates, t => JsonValue.Create(t)).Set("args", a.Args.Count == 0 ? null : a.Args);

    private static JsonObject WriteStep(ReleaseStep step) => new JsonObject().Set(step.Type, step switch
    {
        DeployStep d => new JsonObject().Set("replicas", d.Replicas),
        SetWeightStep w => JsonValue.Create(w.Weight),
        SetHeaderRouteStep h => new JsonObject().Set("name", h.Name).Set("match", h.Removes ? null : h.Match, m => new JsonObject()
            .Set(m.Cookie ? "cookieName" : "headerName", m.Name)
            .Set(m.Cookie ? "cookieValue" : "headerValue", VirtualServiceCodec.WriteStringMatch(m.Value))),
        SetMirrorRouteStep m => new JsonObject().Set("name", m.Name).Set("percentage", m.Percentage)
            .Set("match", m.Match.Count == 0 ? null : m.Match, VirtualServiceCodec.WriteMatch),
        PauseStep p => new JsonObject().Set("duration", p.Duration?.Text),
        AnalysisStep a => WriteAnalysis(a),
        WebhookStep h => new JsonObject().Set("url", h.Url).Set("method", h.Method).Set("headers", h.Headers).Set("body", h.Body)
            .Set("timeout", h.Timeout?.Text).Set("expectStatus", h.ExpectStatus),
        ApprovalStep a => new JsonObject().Set("group", a.Group ? true : null),
        PromoteStep p => new JsonObject().Set("steps", p.Steps.Count == 0 ? null : p.Steps, w => JsonValue.Create(w)).Set("interval", p.Interval?.Text),
        _ => new JsonObject(),
    });
}
