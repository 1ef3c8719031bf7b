using LightMesh.Core.Releases;
using LightMesh.Host.Security;
using LightMesh.Releases.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LightMesh.Host.Api;

/// <summary>
/// The group release endpoints under <c>/api/v1/groups</c>, thin adapters over <see cref="ReleaseGroups"/>: start a group
/// release of a <c>ReleaseGroupWorkflow</c> with a version per member, list and read them (each member with its
/// release's phase), abort one. Reading needs a viewer's token; starting and aborting, an operator's.
/// </summary>
public static class GroupEndpoints
{
    public const string Root = "/api/v1/groups";

    public static RouteGroupBuilder MapGroupEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Root).RequireAuthorization(Roles.Viewer);
        group.MapGet("/", async (ReleaseGroups groups, ReleaseService releases, CancellationToken ct) =>
            Results.Ok(await Task.WhenAll((await groups.ListAsync(ct)).Select(g => ViewAsync(g, releases, ct)))));
        group.MapGet("/{id}", async (string id, ReleaseGroups groups, ReleaseService releases, CancellationToken ct) =>
            await groups.GetAsync(id, ct) is { } found ? Results.Ok(await ViewAsync(found, releases, ct)) : Problems.NotFound($"group: no group release \"{id}\""));
        group.MapPost("/", StartAsync).RequireAuthorization(Roles.Operator);
        group.MapPost("/{id}/{action}", ActAsync).RequireAuthorization(Roles.Operator);
        return group;
    }

    private static async Task<IResult> StartAsync(HttpRequest request, ReleaseGroups groups, ReleaseService releases, CancellationToken ct)
    {
        var (body, error) = await ReleaseEndpoints.ReadAsync<GroupStartBody>(request, ct);
        if (body is null)
        {
            return Problems.BadRequest(error!);
        }

        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(body.Workflow))
        {
            problems.Add("workflow: required (a ReleaseGroupWorkflow's name)");
        }

        if (body.Versions is not { Count: > 0 })
        {
            problems.Add("versions: required, a version per member ({\"payments\": \"v7\", \"checkout\": \"v12\"})");
        }

        if (problems.Count > 0)
        {
            return Problems.BadRequest([.. problems]);
        }

        var result = await groups.StartAsync(body.Workflow!, body.Versions!, body.Actor ?? "api", ct);
        return result.Outcome == ReleaseOutcome.Done
            ? Results.Created($"{Root}/{result.Group!.Id}", await ViewAsync(result.Group, releases, ct))
            : await ErrorAsync(result, releases, ct);
    }

    /// <summary>The actions on a group, by their path segment: each acts on every member (abort: rolls every member started back).</summary>
    public static readonly IReadOnlyDictionary<string, OperatorAction> Actions = new Dictionary<string, OperatorAction>(StringComparer.Ordinal)
    {
        ["pause"] = OperatorAction.Pause,
        ["resume"] = OperatorAction.Resume,
        ["approve"] = OperatorAction.Approve,
        ["abort"] = OperatorAction.Abort,
    };

    private static async Task<IResult> ActAsync(string id, string action, HttpRequest request, ReleaseGroups groups, ReleaseService releases, CancellationToken ct)
    {
        if (!Actions.TryGetValue(action, out var op))
        {
            return Problems.NotFound($"action: \"{action}\" is not one of {string.Join(", ", Actions.Keys)}");
        }

        var (body, error) = await ReleaseEndpoints.ActionBodyAsync(request, ct);
        if (body is null)
        {
            return Problems.BadRequest(error!);
        }

        var result = await groups.ActAsync(id, op, body.Actor ?? "api", ct);
        return result.Outcome == ReleaseOutcome.Done ? Results.Ok(await ViewAsync(result.Group!, releases, ct)) : await ErrorAsync(result, releases, ct);
    }

    private static async Task<IResult> ErrorAsync(GroupResult result, ReleaseService releases, CancellationToken ct) =>
        Problems.Of(ReleaseEndpoints.StatusOf(result.Outcome), result.Errors, result.Group is null ? null : await ViewAsync(result.Group, releases, ct));

    /// <summary>The group with each member's release as it is now.</summary>
    internal static async Task<GroupView> ViewAsync(ReleaseGroupState group, ReleaseService releases, CancellationToken ct)
    {
        var members = new List<GroupMemberView>();
        foreach (var member in group.Members)
        {
            var release = member.ReleaseId is { } id ? await releases.GetAsync(id, ct) : null;
            var revert = member.RevertId is { } revertId ? await releases.GetAsync(revertId, ct) : null;
            var after = group.Spec.Members.Single(m => m.Service == member.Service).After;
            members.Add(new GroupMemberView(
                member.Service, member.Version, after, member.ReleaseId, release?.Phase, release?.Step, release?.CanaryWeight, member.RevertId, revert?.Phase));
        }

        return new GroupView(
            group.Id, group.Workflow, group.Phase, group.Spec.EffectiveGate.Text, group.Spec.EffectiveOnMemberFailure,
            group.FailedMember, group.RollingBack, group.PausedBy, group.Actor, group.StartedAt, group.EndedAt, group.StartOrder, members, group.Events, group.Acting, group.ApprovedBy);
    }
}

/// <summary>The body of <c>POST /api/v1/groups</c>.</summary>
public sealed record GroupStartBody(string? Workflow, Dictionary<string, string>? Versions, string? Actor);

/// <summary>A group release as the API shows it; <c>Acting</c> is the latest action on the whole group and the members it has still to reach; <c>ApprovedBy</c>, who approved the group, the approval every member's group approval step takes.</summary>
public sealed record GroupView(
    string Id, string Workflow, GroupPhase Phase, string Gate, MemberFailurePolicy OnMemberFailure, string? FailedMember, string? RollingBack, string? PausedBy, string Actor,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, IReadOnlyList<string> StartOrder, IReadOnlyList<GroupMemberView> Members, IReadOnlyList<ReleaseEvent> Events,
    GroupAction? Acting = null, string? ApprovedBy = null);

/// <summary>One member: its version, whom it waits for, its release (and revert) and where they are.</summary>
public sealed record GroupMemberView(
    string Service, string Version, IReadOnlyList<string> After, string? Release, ReleasePhase? Phase, int? Step, int? Weight, string? Revert, ReleasePhase? RevertPhase);
