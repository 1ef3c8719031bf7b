using System.Globalization;
using LightMesh.Core.Documents;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Scheduling;
using LightMesh.Host.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LightMesh.Releases.Requests;

namespace LightMesh.Host.Hooks;

/// <summary>
/// Handles one CI webhook delivery: authenticates it (signature or token, checked on the raw body before anything is
/// parsed), reads what it asks for, and starts the release through <see cref="ReleaseService"/>, the same service the
/// API and CLI use. A delivery that is refused starts nothing.
/// </summary>
public sealed class HookReceiver(ReleaseService releases, ReleaseGroups groups, DocumentStore documents, HookDeliveries deliveries, ScheduleStore schedules, TimeProvider time, IOptions<HookOptions> options, ILogger<HookReceiver> logger)
{
    /// <summary>The longest delivery id (or Idempotency-Key) taken.</summary>
    public const int MaxDeliveryIdLength = 200;

    public async Task<IResult> ReceiveAsync(HookSource source, HttpRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var provider = source.Provider;
        var (deliveryHeader, given) = source.DeliveryOf(request.Headers);

        // An id that would make a bad etcd key or log line is refused, though only once the delivery is authentic.
        var validId = given is null || given.Length <= MaxDeliveryIdLength && !given.Any(char.IsControl);
        var delivery = validId ? given : null;
        var (secret, secretKey) = settings.SecretOf(source);
        if (secret is null)
        {
            return Refuse(provider, delivery, HookOutcome.Unauthorized, $"no secret configured for {source.Name} (set {secretKey})");
        }

        var credentialHeader = source.CredentialHeader;
        var credential = request.Headers[credentialHeader].ToString();
        if (credential.Length == 0)
        {
            return Refuse(provider, delivery, HookOutcome.Unauthorized, $"{credentialHeader}: missing");
        }

        var body = await HookBody.ReadAsync(request, settings.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Refuse(provider, delivery, HookOutcome.TooLarge, $"body: larger than {settings.MaxBodyBytes} bytes ({HookOptions.Section}:MaxBodyBytes)");
        }

        if (!source.IsAuthentic(secret, body, credential))
        {
            return Refuse(provider, delivery, HookOutcome.Unauthorized, source.NotAuthentic);
        }

        if (!validId)
        {
            return Refuse(provider, null, HookOutcome.Invalid, $"{deliveryHeader}: must be at most {MaxDeliveryIdLength} printable characters");
        }

        var read = source.Read(request.Headers, body);
        switch (read.Kind)
        {
            case HookEventKind.Invalid:
                return Refuse(provider, delivery, HookOutcome.Invalid, [.. read.Errors]);
            case HookEventKind.Ping:
                HookMetrics.Count(provider, HookOutcome.Ignored);
                HookLog.Ignored(logger, HookMetrics.NameOf(provider), delivery ?? "-", "ping");
                return Results.Ok(new { ping = "pong" });
            case HookEventKind.Ignored:
                HookMetrics.Count(provider, HookOutcome.Ignored);
                HookLog.Ignored(logger, HookMetrics.NameOf(provider), delivery ?? "-", read.Reason!);
                return Results.Accepted((string?)null, new { ignored = read.Reason });
            default:
                return read.Group is { } group
                    ? await StartGroupAsync(provider, delivery, group, cancellationToken)
                    : await StartAsync(provider, delivery, read, cancellationToken);
        }
    }

    private IResult Refuse(HookProvider provider, string? delivery, HookOutcome outcome, params string[] errors)
    {
        var status = outcome switch
        {
            HookOutcome.Unauthorized => StatusCodes.Status401Unauthorized,
            HookOutcome.TooLarge => StatusCodes.Status413PayloadTooLarge,
            HookOutcome.Conflict or HookOutcome.Duplicate => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        HookMetrics.Count(provider, outcome);
        if (status == StatusCodes.Status409Conflict)
        {
            // A busy service, a freeze, a delivery still being handled: the way things are now, not a bad delivery.
            HookLog.RefusedForNow(logger, HookMetrics.NameOf(provider), delivery ?? "-", string.Join("; ", errors));
        }
        else
        {
            HookLog.Refused(logger, HookMetrics.NameOf(provider), delivery ?? "-", status, string.Join("; ", errors));
        }

        return Problems.Of(status, errors);
    }

    // Starting the release a delivery asks for, once, however often the delivery is sent.

    private async Task<IResult> StartAsync(HookProvider provider, string? delivery, HookEvent read, CancellationToken cancellationToken)
    {
        var name = HookMetrics.NameOf(provider);
        var actor = Actor(name, read.Sender, delivery);

        // The claim and the reads a start goes by first go together: what the delivery asks for, and the announcement it
        // may replace (its write, guarded by that read, still comes after the claim).
        var claiming = delivery is null ? null : deliveries.ClaimAsync(name, delivery, actor, cancellationToken);
        var requesting = RequestAsync(read, actor, cancellationToken);
        await Task.WhenAll(claiming ?? Task.CompletedTask, requesting);
        var claim = claiming is null ? null : await claiming;
        switch (claim?.State)
        {
            case DeliveryClaimState.Done when claim.Announced is { } announced:
                return DuplicateAnnouncement(provider, delivery!, announced);
            case DeliveryClaimState.Done:
                return Duplicate(provider, delivery!, claim.Release!);
            case DeliveryClaimState.Pending:
                return Refuse(provider, delivery, HookOutcome.Duplicate, $"delivery {delivery}: still being handled since {claim.ClaimedAt:O}; send it again later");
            case DeliveryClaimState.Reclaimed:
                HookLog.Reclaimed(logger, name, delivery!, claim.ClaimedAt!.Value);

                // The actor names the delivery: a release started under it is what the abandoned claim had started.
                if (await releases.FindStartedByAsync(actor, cancellationToken) is { } earlier)
                {
                    await deliveries.CompleteAsync(claim, earlier.Id, actor, cancellationToken);
                    return Duplicate(provider, delivery!, earlier.Id);
                }

                break;
        }

        // Past this point an exception (etcd unreachable, the request cancelled) leaves the claim pending, as a crash
        // would: the release may have been created, and the takeover above finds it.
        var (start, trigger, problem, announcement) = await requesting;

        // Every version CI builds is announced, even one that cannot start now (a freeze): a Schedule may release it
        // later. A version built before the one announced is not: a Schedule releases the newest build. It is announced
        // before its release starts, so a release a delivery started always has its announcement, whatever stops the
        // handler after the start: a Schedule never goes back to an older announced build.
        var kept = start is null ? null : await schedules.AnnounceAsync(new Announcement(start.Service, start.Version, read.Image, actor, time.GetUtcNow(), read.BuiltAt), cancellationToken, announcement);
        if (trigger?.Spec.Mode == TriggerMode.Announce && start is not null)
        {
            if (kept is not null)
            {
                if (claim is not null)
                {
                    await deliveries.AbandonAsync(claim, cancellationToken);
                }

                return Refuse(provider, delivery, HookOutcome.Conflict,
                    $"{start.Service} {start.Version} (built {read.BuiltAt?.ToString("O", CultureInfo.InvariantCulture) ?? "when announced"}) is older than the announced {kept.Version} (built {kept.Built:O}); the announcement is kept");
            }

            // The delivery is kept, so a redelivery announces nothing again (it would be the same version, or an older
            // one replacing a newer if the delivery was late).
            if (claim is not null)
            {
                await deliveries.CompleteAnnouncedAsync(claim, new AnnouncedVersion(start.Service, start.Version), actor, cancellationToken);
            }

            HookMetrics.Count(provider, HookOutcome.Announced);
            HookLog.Announced(logger, name, delivery ?? "-", start.Service, start.Version, trigger.Reference);
            return Results.Accepted((string?)null, new { announced = new { service = start.Service, version = start.Version } });
        }

        // The delivery's record names the release in the release's own transaction.
        var result = start is null ? null : await releases.StartAsync(claim is null ? start : start with { Receipt = deliveries.ReceiptFor(claim, actor) }, cancellationToken);
        if (result is { Outcome: ReleaseOutcome.Done, Release: { } release })
        {
            HookMetrics.Count(provider, HookOutcome.Started);
            HookLog.Started(logger, name, delivery ?? "-", release.Id, release.Service, release.Version, actor);
            return Results.Accepted($"{Api.ReleaseEndpoints.Root}/{release.Id}", new { release = release.Id });
        }

        if (claim is not null)
        {
            await deliveries.AbandonAsync(claim, cancellationToken);
        }

        if (result is null)
        {
            return Refuse(provider, delivery, HookOutcome.Invalid, problem!);
        }

        var prefix = trigger is null ? "" : $"{trigger.Reference}: ";
        return Refuse(provider, delivery, result.Outcome == ReleaseOutcome.Conflict ? HookOutcome.Conflict : HookOutcome.Invalid,
            [.. result.Errors.Select(e => prefix + e)]);
    }

    /// <summary>
    /// Starts the group release a delivery asks for, once: its id is made from the delivery (<see cref="ReleaseGroups.IdFor"/>),
    /// so a redelivery, or one whose first handler died after the start, answers the group it made.
    /// </summary>
    private async Task<IResult> StartGroupAsync(HookProvider provider, string? delivery, GroupRequest request, CancellationToken cancellationToken)
    {
        var name = HookMetrics.NameOf(provider);
        var actor = Actor(name, null, delivery);
        var claim = delivery is null ? null : await deliveries.ClaimAsync(name, delivery, actor, cancellationToken);
        switch (claim?.State)
        {
            case DeliveryClaimState.Done when claim.Group is { } done:
                return Duplicate(provider, delivery!, done, group: true);
            case DeliveryClaimState.Done:
                return Refuse(provider, delivery, HookOutcome.Duplicate, $"delivery {delivery}: already used for {claim.Release ?? claim.Announced?.Version}, not a group release");
            case DeliveryClaimState.Pending:
                return Refuse(provider, delivery, HookOutcome.Duplicate, $"delivery {delivery}: still being handled since {claim.ClaimedAt:O}; send it again later");
            case DeliveryClaimState.Reclaimed:
                HookLog.Reclaimed(logger, name, delivery!, claim.ClaimedAt!.Value);
                break;
        }

        var id = delivery is null ? null : ReleaseGroups.IdFor(request.Workflow, $"{name}/{delivery}");
        var result = await groups.StartAsync(request.Workflow, request.Versions, actor, cancellationToken, id);
        if (result is { Outcome: ReleaseOutcome.Done or ReleaseOutcome.AlreadyStarted, Group: { } started })
        {
            if (claim is not null)
            {
                await deliveries.CompleteGroupAsync(claim, started.Id, actor, cancellationToken);
            }

            if (result.Outcome == ReleaseOutcome.AlreadyStarted)
            {
                return Duplicate(provider, delivery!, started.Id, group: true);
            }

            HookMetrics.Count(provider, HookOutcome.Started);
            HookLog.GroupStarted(logger, name, delivery ?? "-", started.Id, request.Workflow, actor);
            return Results.Accepted($"{Api.GroupEndpoints.Root}/{started.Id}", new { group = started.Id });
        }

        if (claim is not null)
        {
            await deliveries.AbandonAsync(claim, cancellationToken);
        }

        return Refuse(provider, delivery, result.Outcome == ReleaseOutcome.Conflict ? HookOutcome.Conflict : HookOutcome.Invalid, [.. result.Errors]);
    }

    /// <summary>
    /// The start request: given outright (generic), or made from the ReleaseTrigger of the event's repository or image;
    /// with its service's announcement as read now.
    /// </summary>
    private async Task<(StartRequest? Request, ReleaseTrigger? Trigger, string? Problem, AnnouncementRead? Announcement)> RequestAsync(HookEvent read, string actor, CancellationToken cancellationToken)
    {
        var (start, trigger, problem) = await StartRequestAsync(read, actor, cancellationToken);
        return (start, trigger, problem, start is null ? null : await schedules.ReadAnnouncementAsync(start.Service, cancellationToken));
    }

    private async Task<(StartRequest? Request, ReleaseTrigger? Trigger, string? Problem)> StartRequestAsync(HookEvent read, string actor, CancellationToken cancellationToken)
    {
        if (read.Request is { } direct)
        {
            return (direct with { Actor = actor }, null, null);
        }

        // Validation lets one repository or image map to one trigger only; the name order settles it if that was bypassed.
        var trigger = (await documents.ListAsync(DocumentKind.ReleaseTrigger, cancellationToken)).OfType<ReleaseTrigger>()
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .FirstOrDefault(t => t.Spec.Matches(read.Repository, read.Image));
        if (trigger is null)
        {
            return (null, null, read.Image is null ? $"no ReleaseTrigger matches repository {read.Repository}" : $"no ReleaseTrigger matches image {read.Image}");
        }

        return (new StartRequest
        {
            Service = trigger.Spec.Service, Version = read.Version!, Workflow = trigger.Spec.EffectiveWorkflow,
            Args = trigger.Spec.Args ?? new Dictionary<string, string>(), Actor = actor,
        }, trigger, null);
    }

    private IResult DuplicateAnnouncement(HookProvider provider, string delivery, AnnouncedVersion announced)
    {
        HookMetrics.Count(provider, HookOutcome.Duplicate);
        HookLog.DuplicateAnnouncement(logger, HookMetrics.NameOf(provider), delivery, announced.Service, announced.Version);
        return Results.Accepted((string?)null, new { announced = new { service = announced.Service, version = announced.Version }, duplicate = true });
    }

    private IResult Duplicate(HookProvider provider, string delivery, string release, bool group = false)
    {
        HookMetrics.Count(provider, HookOutcome.Duplicate);
        HookLog.Duplicate(logger, HookMetrics.NameOf(provider), delivery, release);
        return group
            ? Results.Accepted($"{Api.GroupEndpoints.Root}/{release}", new { group = release, duplicate = true })
            : Results.Accepted($"{Api.ReleaseEndpoints.Root}/{release}", new { release, duplicate = true });
    }

    /// <summary><c>github:octocat (delivery 72d3…)</c>: who, through which provider, and which delivery, so a release can be traced to it.</summary>
    public static string Actor(string provider, string? sender, string? delivery) =>
        (string.IsNullOrEmpty(sender) ? provider : $"{provider}:{sender}") + (delivery is null ? "" : $" (delivery {delivery})");
}
