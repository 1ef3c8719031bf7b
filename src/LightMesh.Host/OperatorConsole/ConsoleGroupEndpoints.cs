using LightMesh.Core.Releases;
using LightMesh.Host.Api;
using LightMesh.Host.Security;
using LightMesh.Releases.Requests;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static LightMesh.Host.OperatorConsole.ConsoleEndpoints;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// The console's group release pages (<c>/console/groups/ID</c>): the group live, as its releases' pages are, and an
/// operator's actions on the whole group, each confirmed first and then done as the API does.
/// </summary>
internal static class ConsoleGroupEndpoints
{
    public static void MapConsoleGroups(this RouteGroupBuilder group)
    {
        group.MapGet("/groups/{id}", GroupAsync).RequireAuthorization(ConsoleSession.Policy);
        group.MapGet("/groups/{id}/{action}", ConfirmGroupAsync).RequireAuthorization(ConsoleSession.OperatorPolicy);
        group.MapPost("/groups/{id}/{action}", ActOnGroupAsync).RequireAuthorization(ConsoleSession.OperatorPolicy);
    }

    private static async Task<IResult> GroupAsync(string id, HttpContext http, ReleaseGroups groups, ReleaseService releases, ConsoleParts parts, TimeProvider time, CancellationToken ct)
    {
        if (IsPart(http))
        {
            var operates = Operates(http);
            return Part(await parts.GetAsync<GroupPage>(PartKey(http, operates), async () =>
                await groups.GetAsync(id, ct) is { } found ? await GroupParametersAsync(found, releases, operates, time, ct) : null));
        }

        return await GroupPageAsync(id, http, groups, releases, time, ct);
    }

    /// <summary>A group release's page: its members side by side, each with its release as it is now, its log, and (for an operator) the group's actions.</summary>
    private static async Task<IResult> GroupPageAsync(
        string id, HttpContext http, ReleaseGroups groups, ReleaseService releases, TimeProvider time, CancellationToken ct, string? error = null, int status = StatusCodes.Status200OK)
    {
        if (await groups.GetAsync(id, ct) is not { } group)
        {
            return Results.NotFound();
        }

        var parameters = await GroupParametersAsync(group, releases, Operates(http), time, ct);
        parameters[nameof(GroupPage.User)] = ConsoleUser.Of(http.User);
        parameters[nameof(GroupPage.Error)] = error;
        return Page<GroupPage>(parameters, status);
    }

    /// <summary>What a group's page shows: the same for every reader who may act on it, and for every reader who may not.</summary>
    private static async Task<Dictionary<string, object?>> GroupParametersAsync(ReleaseGroupState group, ReleaseService releases, bool operates, TimeProvider time, CancellationToken ct)
    {
        var view = await GroupEndpoints.ViewAsync(group, releases, ct);
        return new()
        {
            [nameof(GroupPage.Group)] = view,
            [nameof(GroupPage.Graph)] = new MarkupString(GroupGraph.Svg(view.Members, $"the members of {group.Id} and the order they start in")),
            [nameof(GroupPage.Actions)] = operates ? ConsoleAction.ForGroup(group, Roles.Operator, time.GetUtcNow()) : [],
        };
    }

    /// <summary>The question before an action on a whole group: what it would do now.</summary>
    private static async Task<IResult> ConfirmGroupAsync(string id, string action, HttpContext http, ReleaseGroups groups, ReleaseService releases, TimeProvider time, CancellationToken ct)
    {
        if (await groups.GetAsync(id, ct) is not { } group)
        {
            return Results.NotFound();
        }

        var user = ConsoleUser.Of(http.User)!;
        return ConsoleAction.ForGroup(group, user.Name, time.GetUtcNow()).FirstOrDefault(a => a.Name == action) is { } applies
            ? Page<ConfirmPage>(new Dictionary<string, object?>
            {
                [nameof(ConfirmPage.User)] = user, [nameof(ConfirmPage.ReleaseId)] = id, [nameof(ConfirmPage.Action)] = applies,
                [nameof(ConfirmPage.Path)] = $"{ConsoleSession.Root}/groups/{id}",
            })
            : await GroupPageAsync(id, http, groups, releases, time, ct, $"{action}: does not apply to this group release now", StatusCodes.Status409Conflict);
    }

    /// <summary>Carries out a confirmed action on a whole group through the group service, as the API would, with the signed-in holder as the actor.</summary>
    private static async Task<IResult> ActOnGroupAsync(
        string id, string action, HttpContext http, IAntiforgery antiforgery, ReleaseGroups groups, ReleaseService releases, TimeProvider time, CancellationToken ct)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return NotGenuine();
        }

        if (!GroupEndpoints.Actions.TryGetValue(action, out var op))
        {
            return Results.NotFound();
        }

        var result = await groups.ActAsync(id, op, ConsoleUser.Of(http.User)!.Name, ct);
        return result.Outcome switch
        {
            ReleaseOutcome.Done => Results.Redirect($"{ConsoleSession.Root}/groups/{Uri.EscapeDataString(id)}"),
            ReleaseOutcome.NotFound => Results.NotFound(),
            _ => await GroupPageAsync(id, http, groups, releases, time, ct, string.Join("; ", result.Errors), StatusCodes.Status409Conflict),
        };
    }
}
