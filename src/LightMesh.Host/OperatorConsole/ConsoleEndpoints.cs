using LightMesh.ControlPlane.Reports;
using LightMesh.Core.Releases;
using LightMesh.Core.Scheduling;
using LightMesh.Deployer.Revisions;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd.Scheduling;
using LightMesh.Host.Api;
using LightMesh.Host.Security;
using LightMesh.Releases.Requests;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// The operator console under <c>/console</c>, served by the controller itself: pages rendered on the server from Razor
/// components (<see cref="RazorComponentResult"/>), readable without JavaScript; every form carries an antiforgery token,
/// and a post without a good one does nothing. Every page but sign-in needs a session (<see cref="ConsoleSession"/>);
/// without one it redirects to sign-in. An action needs an operator's session: a viewer's is a 403.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>The header a live page's script reads its changing part with (value <c>main</c>).</summary>
    public const string PartHeader = "X-Console-Part";

    /// <summary>Where an API token's holder asks for a one-time sign-in link for themselves (<see cref="ConsoleLinks"/>).</summary>
    public const string LinksApi = "/api/v1/console/links";

    public static RouteGroupBuilder MapOperatorConsole(this IEndpointRouteBuilder app)
    {
        app.MapPost(LinksApi, CreateLinkAsync).RequireAuthorization(Roles.Viewer);
        var group = app.MapGroup(ConsoleSession.Root);

        // Pages for one signed-in reader, and a live page's part at the same address: nothing of them is stored by a
        // browser or a proxy on the way.
        group.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            context.HttpContext.Response.Headers.Vary = PartHeader;
            return await next(context);
        });
        group.MapGet("/", ReleasesAsync).RequireAuthorization(ConsoleSession.Policy);
        group.MapGet("/sign-in", () => Page<SignInPage>(new Dictionary<string, object?>())).AllowAnonymous();
        group.MapPost("/sign-in", SignInAsync).AllowAnonymous();
        group.MapGet("/sign-in/link", async (string? code, ConsoleLinks links, CancellationToken ct) => Page<SignInLinkPage>(
            new Dictionary<string, object?> { [nameof(SignInLinkPage.User)] = code is null ? null : await links.PeekAsync(code, ct), [nameof(SignInLinkPage.Code)] = code ?? "" })).AllowAnonymous();
        group.MapPost("/sign-in/link", SignInWithLinkAsync).AllowAnonymous();
        group.MapPost("/sign-out", SignOutAsync).RequireAuthorization(ConsoleSession.Policy);
        group.MapGet("/events", (ReleaseFeed feed, CancellationToken ct) => TypedResults.ServerSentEvents(feed.ChangesAsync(ct), eventType: "releases"))
            .RequireAuthorization(ConsoleSession.Policy);
        group.MapGet("/start", async (HttpContext http, DocumentStore documents, CancellationToken ct) => await StartPageAsync(http, documents, new StartForm(), [], ct))
            .RequireAuthorization(ConsoleSession.OperatorPolicy);
        group.MapPost("/start", StartAsync).RequireAuthorization(ConsoleSession.OperatorPolicy);
        group.MapGet("/mesh", MeshAsync).RequireAuthorization(ConsoleSession.Policy);
        group.MapGet("/releases/{id}", ReleaseAsync).RequireAuthorization(ConsoleSession.Policy);
        group.MapConsoleGroups();
        group.MapGet("/releases/{id}/{action}", ConfirmAsync).RequireAuthorization(ConsoleSession.OperatorPolicy);
        group.MapPost("/releases/{id}/{action}", ActAsync).RequireAuthorization(ConsoleSession.OperatorPolicy);
        return group;
    }

    private static async Task<IResult> ReleaseAsync(string id, HttpContext http, ReleaseService releases, DocumentStore documents, ConsoleParts parts, TimeProvider time, CancellationToken ct)
    {
        if (IsPart(http))
        {
            var operates = Operates(http);
            return Part(await parts.GetAsync<ReleasePage>(PartKey(http, operates), async () =>
                await releases.GetAsync(id, ct) is { } found ? await ReleaseParametersAsync(found, documents, operates, time, Grafana(http), ct) : null));
        }

        return await releases.GetAsync(id, ct) is { } release
            ? await ReleasePageAsync(release, documents, http, time, ct)
            : Results.NotFound();
    }

    /// <summary>
    /// Starts a release from the form through the release service, as the API does, with the signed-in holder as the
    /// actor; its checks' errors are shown in place, with what was typed kept. The form's key makes a second post of the
    /// same form answer the release the first started.
    /// </summary>
    private static async Task<IResult> StartAsync([FromForm] StartForm form, HttpContext http, ReleaseService releases, DocumentStore documents, CancellationToken ct)
    {
        var (request, errors) = form.ToRequest(ConsoleUser.Of(http.User)!.Name);
        if (request is null)
        {
            return await StartPageAsync(http, documents, form, errors, ct, StatusCodes.Status400BadRequest);
        }

        var result = await releases.StartAsync(request, ct);
        return result.Outcome switch
        {
            ReleaseOutcome.Done or ReleaseOutcome.AlreadyStarted => Results.Redirect($"{ConsoleSession.Root}/releases/{Uri.EscapeDataString(result.Release!.Id)}"),
            ReleaseOutcome.NotFound => await StartPageAsync(http, documents, form, result.Errors, ct, StatusCodes.Status404NotFound),
            ReleaseOutcome.Conflict => await StartPageAsync(http, documents, form, result.Errors, ct, StatusCodes.Status409Conflict),
            _ => await StartPageAsync(http, documents, form, result.Errors, ct, StatusCodes.Status400BadRequest),
        };
    }

    private static async Task<IResult> StartPageAsync(HttpContext http, DocumentStore documents, StartForm form, IReadOnlyList<string> errors, CancellationToken ct, int status = StatusCodes.Status200OK)
    {
        var snapshot = await documents.ReadAsync(ct);
        return Page<StartPage>(
            new Dictionary<string, object?>
            {
                [nameof(StartPage.User)] = ConsoleUser.Of(http.User),
                [nameof(StartPage.Services)] = snapshot.All<Core.Mesh.MeshService>().Select(s => s.Name).Order(StringComparer.Ordinal).ToList(),
                [nameof(StartPage.Workflows)] = snapshot.All<ReleaseWorkflow>().Select(w => w.Name).Order(StringComparer.Ordinal).ToList(),
                [nameof(StartPage.Form)] = form,
                [nameof(StartPage.Errors)] = errors,
            },
            status);
    }

    /// <summary>The question before an action: what it would do to the release now.</summary>
    private static async Task<IResult> ConfirmAsync(string id, string action, HttpContext http, ReleaseService releases, DocumentStore documents, TimeProvider time, CancellationToken ct)
    {
        if (await releases.GetAsync(id, ct) is not { } release)
        {
            return Results.NotFound();
        }

        var user = ConsoleUser.Of(http.User)!;
        return ConsoleAction.For(release, user.Name, time.GetUtcNow()).FirstOrDefault(a => a.Name == action) is { } applies
            ? Page<ConfirmPage>(new Dictionary<string, object?> { [nameof(ConfirmPage.User)] = user, [nameof(ConfirmPage.ReleaseId)] = id, [nameof(ConfirmPage.Action)] = applies })
            : await ReleasePageAsync(release, documents, http, time, ct, $"{action}: does not apply to this release now", StatusCodes.Status409Conflict);
    }

    /// <summary>Carries out a confirmed action through the release service, as the API would, with the signed-in holder as the actor.</summary>
    private static async Task<IResult> ActAsync(
        string id, string action, HttpContext http, IAntiforgery antiforgery, ReleaseService releases, DocumentStore documents, TimeProvider time, CancellationToken ct)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return NotGenuine();
        }

        var actor = ConsoleUser.Of(http.User)!.Name;
        ReleaseResult result;
        if (action == ConsoleAction.Retry)
        {
            result = await releases.RetryAsync(id, actor, ct);
        }
        else if (ReleaseEndpoints.Actions.TryGetValue(action, out var op))
        {
            result = await releases.ActAsync(id, op, actor, ct);
        }
        else
        {
            return Results.NotFound();
        }

        if (result.Outcome == ReleaseOutcome.Done)
        {
            return Results.Redirect($"{ConsoleSession.Root}/releases/{Uri.EscapeDataString(result.Release!.Id)}");
        }

        return await releases.GetAsync(id, ct) is { } release
            ? await ReleasePageAsync(release, documents, http, time, ct, string.Join("; ", result.Errors), StatusCodes.Status409Conflict)
            : Results.NotFound();
    }

    /// <summary>A release's page; <paramref name="release"/> is read with its measurements, for the charts.</summary>
    private static async Task<RazorComponentResult<ReleasePage>> ReleasePageAsync(
        ReleaseState release, DocumentStore documents, HttpContext http, TimeProvider time, CancellationToken ct, string? error = null, int status = StatusCodes.Status200OK)
    {
        var parameters = await ReleaseParametersAsync(release, documents, Operates(http), time, Grafana(http), ct);
        parameters[nameof(OperatorConsole.ReleasePage.User)] = ConsoleUser.Of(http.User);
        parameters[nameof(OperatorConsole.ReleasePage.Error)] = error;
        return Page<ReleasePage>(parameters, status);
    }

    /// <summary>What a release's page shows: the same for every reader who may act on it, and for every reader who may not.</summary>
    private static async Task<Dictionary<string, object?>> ReleaseParametersAsync(
        ReleaseState release, DocumentStore documents, bool operates, TimeProvider time, string? grafana, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var end = ReleaseTimeline.EndOf(release);
        return new()
        {
            [nameof(OperatorConsole.ReleasePage.Release)] = ReleaseView.From(release),
            [nameof(OperatorConsole.ReleasePage.Steps)] = ReleaseTimeline.Steps(release),
            [nameof(OperatorConsole.ReleasePage.Now)] = now,
            [nameof(OperatorConsole.ReleasePage.WeightChart)] = new MarkupString(WeightChart.Svg(
                ReleaseTimeline.Weights(release), ReleaseTimeline.RollbackBegan(release), end ?? now, $"canary weight of {release.Id} over time")),
            [nameof(OperatorConsole.ReleasePage.Grafana)] = grafana is null ? null : GrafanaLink.ToRelease(grafana, release.Service, release.StartedAt, end),
            [nameof(OperatorConsole.ReleasePage.Actions)] = operates ? ConsoleAction.For(release, Roles.Operator, now) : [],
            [nameof(OperatorConsole.ReleasePage.Analyses)] = AnalysisPanel.Of(release, await documents.ReadAsync(ct)),
        };
    }

    /// <summary>The Grafana the controller is configured with (<c>--grafana</c>), if any.</summary>
    private static string? Grafana(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<ControllerOptions>>().Value.Grafana;

    /// <summary>Whether the signed-in reader may act on releases: an operator's session or an admin's.</summary>
    internal static bool Operates(HttpContext http) => ConsoleUser.Of(http.User) is { } user && Roles.Grants(user.Role, Roles.Operator);

    private static async Task<IResult> ReleasesAsync(
        HttpContext http, ReleaseStore store, ReleaseService releases, ReleaseGroups groups, ConsoleParts parts, TimeProvider time, CancellationToken ct)
    {
        if (IsPart(http))
        {
            return Part(await parts.GetAsync<ReleasesPage>(PartKey(http, operates: false), async () => await ReleasesParametersAsync(http, store, releases, groups, time, ct)));
        }

        var parameters = await ReleasesParametersAsync(http, store, releases, groups, time, ct);
        parameters[nameof(ReleasesPage.User)] = ConsoleUser.Of(http.User);
        return Page<ReleasesPage>(parameters);
    }

    /// <summary>What the releases page shows, read from etcd: nothing of who reads it.</summary>
    private static async Task<Dictionary<string, object?>> ReleasesParametersAsync(
        HttpContext http, ReleaseStore store, ReleaseService releases, ReleaseGroups groups, TimeProvider time, CancellationToken ct)
    {
        var (query, errors) = ReleaseListParameters.Read(http.Request.Query);
        query ??= new ReleaseQuery();
        var now = time.GetUtcNow();

        // The running releases lead on every page's first screen, whatever page of the ended ones is shown.
        var (activeIds, _) = await store.ActiveIdsAsync(ct);
        var active = (await store.GetManyAsync(activeIds, ct))
            .Where(query.Matches)
            .OrderByDescending(r => r.StartedAt)
            .Select(r => ReleaseRow.Of(r, now))
            .ToList();
        var page = await releases.ListAsync(query, ct);
        var recent = page.Releases.Where(r => r.IsFinished).Select(r => ReleaseRow.Of(r, now)).ToList();
        return new Dictionary<string, object?>
        {
            [nameof(ReleasesPage.Active)] = active,
            [nameof(ReleasesPage.Recent)] = recent,
            [nameof(ReleasesPage.Groups)] = GroupRow.Listed(await groups.ListAsync(ct), query.Service, now),
            [nameof(ReleasesPage.Service)] = query.Service,
            [nameof(ReleasesPage.Phase)] = query.Phase?.ToString(),
            [nameof(ReleasesPage.StartedBy)] = query.StartedBy,
            [nameof(ReleasesPage.Errors)] = errors,
            [nameof(ReleasesPage.Next)] = page.Continue is { } next ? NextLink(query, next.ToString()) : null,
        };
    }

    private static async Task<IResult> MeshAsync(HttpContext http, ConsoleParts parts, CancellationToken ct)
    {
        if (IsPart(http))
        {
            return Part(await parts.GetAsync<MeshPage>(PartKey(http, operates: false), async () => await MeshParametersAsync(http.RequestServices, ct)));
        }

        var parameters = await MeshParametersAsync(http.RequestServices, ct);
        parameters[nameof(MeshPage.User)] = ConsoleUser.Of(http.User);
        return Page<MeshPage>(parameters);
    }

    /// <summary>The mesh as etcd and this controller know it now: documents, live instances, node revisions, running releases, proxies, schedules and windows.</summary>
    private static async Task<Dictionary<string, object?>> MeshParametersAsync(IServiceProvider services, CancellationToken ct)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        var documents = await services.GetRequiredService<DocumentStore>().ReadAsync(ct);
        var instances = await services.GetRequiredService<InstanceRegistry>().ListAllAsync(ct);
        var applied = await new NodeRevisionStore(services.GetRequiredService<EtcdConnection>(), time)
            .CurrentOfAsync(documents.All<Core.Mesh.MeshNode>().Select(n => n.Name), ct);

        var store = services.GetRequiredService<ReleaseStore>();
        var (activeIds, _) = await store.ActiveIdsAsync(ct);
        var active = await store.GetManyAsync(activeIds, ct);
        var schedules = await ScheduleEndpoints.SchedulesAsync(documents.All<Schedule>(), services.GetRequiredService<ScheduleStore>(), time, ct);
        var mesh = MeshOverview.Of(
            documents, instances, applied, active, services.GetRequiredService<MeshProxies>().Status(), schedules, ScheduleEndpoints.WindowsAt(documents.All<DeliveryWindow>(), now));
        return new Dictionary<string, object?> { [nameof(MeshPage.Mesh)] = mesh, [nameof(MeshPage.Now)] = now };
    }

    /// <summary>
    /// Whether the request is a live page reading its changing part again (<see cref="PartHeader"/>): the part is the
    /// same for every reader of one role, so <see cref="ConsoleParts"/> renders it once per change for all of them.
    /// </summary>
    internal static bool IsPart(HttpContext http) => http.Request.Headers[PartHeader] == "main";

    internal static string PartKey(HttpContext http, bool operates) => $"{http.Request.Path}{http.Request.QueryString}|{(operates ? "operator" : "viewer")}";

    internal static IResult Part(string? html) => html is null ? Results.NotFound() : Results.Content(html, "text/html; charset=utf-8");

    private static async Task<IResult> SignInAsync([FromForm(Name = "token")] string? token, HttpContext http, BearerTokens tokens, ILogger<ConsoleUser> logger)
    {
        if (string.IsNullOrWhiteSpace(token) || tokens.Find(token.Trim()) is not { } known)
        {
            return Page<SignInPage>(
                new Dictionary<string, object?> { [nameof(SignInPage.Error)] = "token: not one this controller accepts; use a token from its configuration (Auth:Tokens) or the token file it wrote" },
                StatusCodes.Status401Unauthorized);
        }

        await http.SignInAsync(ConsoleSession.Scheme, ConsoleSession.PrincipalOf(known));
        Log.SignedIn(logger, known.Name, known.Role);
        return Results.Redirect($"{ConsoleSession.Root}/");
    }

    /// <summary>A one-time sign-in link for the API token's own holder and role: the same rights, without pasting the token.</summary>
    private static async Task<IResult> CreateLinkAsync(HttpContext http, ConsoleLinks links, TimeProvider time, CancellationToken ct)
    {
        var user = new ConsoleUser(http.User.Identity?.Name ?? "", http.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "");
        var code = await links.CreateAsync(user, ct);
        var url = $"{http.Request.Scheme}://{http.Request.Host}{ConsoleSession.Root}/sign-in/link?code={code}";
        return Results.Json(new ConsoleLinkView(url, time.GetUtcNow() + ConsoleLinks.Lifetime), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> SignInWithLinkAsync([FromForm(Name = "code")] string? code, HttpContext http, ConsoleLinks links, BearerTokens tokens, ILogger<ConsoleUser> logger, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(code) || await links.RedeemAsync(code, ct) is not { } user)
        {
            return Page<SignInLinkPage>(new Dictionary<string, object?>(), StatusCodes.Status401Unauthorized);
        }

        if (!tokens.Holds(user.Name, user.Role))
        {
            return Page<SignInLinkPage>(
                new Dictionary<string, object?> { [nameof(SignInLinkPage.Error)] = $"This link was made for {user.Name} ({user.Role}), whose token this controller no longer accepts." },
                StatusCodes.Status401Unauthorized);
        }

        await http.SignInAsync(ConsoleSession.Scheme, ConsoleSession.PrincipalOf(user));
        Log.SignedIn(logger, user.Name, user.Role);
        return Results.Redirect($"{ConsoleSession.Root}/");
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return NotGenuine();
        }

        await http.SignOutAsync(ConsoleSession.Scheme);
        return Results.Redirect($"{ConsoleSession.Root}/sign-in");
    }

    /// <summary>
    /// A post without the form token the console gave (from another site, or made by hand) does nothing. The sign-in form
    /// is checked by the framework, since it binds the form; these bind none, so they ask.
    /// </summary>
    internal static IResult NotGenuine() =>
        Results.Text("form: this post did not come from a console page (its antiforgery token is missing or wrong); reload the page and try again", statusCode: StatusCodes.Status400BadRequest);

    private static string NextLink(ReleaseQuery query, string next)
    {
        var parameters = new List<string> { $"continue={Uri.EscapeDataString(next)}" };
        parameters.AddRange(query.Service is { } service ? [$"service={Uri.EscapeDataString(service)}"] : []);
        parameters.AddRange(query.Phase is { } phase ? [$"phase={phase}"] : []);
        parameters.AddRange(query.StartedBy is { } startedBy ? [$"startedBy={Uri.EscapeDataString(startedBy)}"] : []);
        return $"{ConsoleSession.Root}/?{string.Join('&', parameters)}";
    }

    internal static RazorComponentResult<T> Page<T>(Dictionary<string, object?> parameters, int status = StatusCodes.Status200OK)
        where T : IComponent => new(parameters) { StatusCode = status };
}
