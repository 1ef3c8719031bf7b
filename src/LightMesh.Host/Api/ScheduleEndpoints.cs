using LightMesh.Core.Documents;
using LightMesh.Core.Scheduling;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd.Scheduling;
using LightMesh.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LightMesh.Host.Api;

/// <summary>
/// A schedule with what it will release, when it fires next, and how its last firing went. A group schedule has
/// <c>Group</c> (the ReleaseGroupWorkflow) and its pinned <c>Versions</c> instead of a service, workflow and version.
/// </summary>
public sealed record ScheduleView(
    string Name, string? Service, string? Workflow, string? Cron, string? TimeZone, DateTimeOffset? At, bool Suspended,
    string? Version, string? AnnouncedVersion, DateTimeOffset? NextFiring, ScheduleFiring? LastFiring,
    string? Group = null, IReadOnlyDictionary<string, string>? Versions = null);

/// <summary>A delivery window with whether it is open now and when that changes.</summary>
public sealed record WindowView(
    string Name, string Type, IReadOnlyList<string>? Services, string? Schedule, string? Duration, string? TimeZone,
    DateTimeOffset? Start, DateTimeOffset? End, bool OpenNow, DateTimeOffset? OpenedAt, DateTimeOffset? ClosesAt, DateTimeOffset? NextOpening);

/// <summary>
/// <c>/api/v1/schedules</c> and <c>/api/v1/windows</c>: the Schedule and DeliveryWindow documents with their state (next
/// and last firing, open or not). They are written and deleted as documents (<c>/api/v1/documents</c>, admin).
/// </summary>
public static class ScheduleEndpoints
{
    public const string Schedules = "/api/v1/schedules";
    public const string Windows = "/api/v1/windows";

    public static RouteGroupBuilder MapScheduleEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var app = endpoints.MapGroup(string.Empty);
        app.MapGet(Schedules, ListSchedulesAsync).RequireAuthorization(Roles.Viewer);
        app.MapGet(Schedules + "/{name}", GetScheduleAsync).RequireAuthorization(Roles.Viewer);
        app.MapGet(Windows, ListWindowsAsync).RequireAuthorization(Roles.Viewer);
        return app;
    }

    private static async Task<IResult> ListSchedulesAsync(DocumentStore documents, ScheduleStore store, TimeProvider time, CancellationToken ct) =>
        Results.Json(await SchedulesAsync((await documents.ListAsync(DocumentKind.Schedule, ct)).OfType<Schedule>(), store, time, ct), ReleaseJson.Options);

    private static async Task<IResult> GetScheduleAsync(string name, DocumentStore documents, ScheduleStore store, TimeProvider time, CancellationToken ct) =>
        (await SchedulesAsync((await documents.ListAsync(DocumentKind.Schedule, ct)).OfType<Schedule>().Where(s => s.Name == name), store, time, ct)).SingleOrDefault() is { } view
            ? Results.Json(view, ReleaseJson.Options)
            : Problems.Of(StatusCodes.Status404NotFound, [$"schedule: no Schedule named \"{name}\""]);

    /// <summary>Each of <paramref name="documents"/> with its next firing, the version announced for its service, and its last firing.</summary>
    public static async Task<IReadOnlyList<ScheduleView>> SchedulesAsync(IEnumerable<Schedule> documents, ScheduleStore store, TimeProvider time, CancellationToken ct)
    {
        var schedules = documents.ToList();
        if (schedules.Count == 0)
        {
            return [];
        }

        var firings = await store.FiringsAsync(ct);
        var announced = await store.AnnouncementsAsync(ct);
        var now = time.GetUtcNow();
        return schedules.Select(s =>
        {
            var last = firings.TryGetValue(s.Name, out var f) ? f.Firing : null;
            return new ScheduleView(
                s.Name, s.Spec.Service, s.Spec.Group is null ? s.Spec.EffectiveWorkflow : null, s.Spec.Cron?.Text, s.Spec.Cron?.TimeZone.Id, s.Spec.At, s.Spec.Suspend,
                s.Spec.Version, s.Spec.Service is { } service ? announced.GetValueOrDefault(service)?.Version : null,
                s.Spec.Suspend ? null : ScheduleClock.Next(s.Spec, last?.ScheduledAt, now), last is { Outcome: FiringOutcome.Waiting } ? null : last,
                s.Spec.Group, s.Spec.Versions);
        }).ToList();
    }

    private static async Task<IResult> ListWindowsAsync(DocumentStore documents, TimeProvider time, CancellationToken ct) =>
        Results.Json(WindowsAt((await documents.ListAsync(DocumentKind.DeliveryWindow, ct)).OfType<DeliveryWindow>(), time.GetUtcNow()), ReleaseJson.Options);

    /// <summary>Each of <paramref name="windows"/> with whether it is open at <paramref name="now"/> and when that changes.</summary>
    public static IReadOnlyList<WindowView> WindowsAt(IEnumerable<DeliveryWindow> windows, DateTimeOffset now) => windows.Select(w =>
    {
        var open = w.Spec.OpenAt(now);
        return new WindowView(
            w.Name, w.Spec.Type.ToString().ToLowerInvariant(), w.Spec.Services, w.Spec.Schedule?.Text, w.Spec.Duration?.Text, w.Spec.Schedule?.TimeZone.Id,
            w.Spec.Start, w.Spec.End, open is not null, open?.Opened, open?.Closes, w.Spec.NextOpening(now));
    }).ToList();
}
