using System.Globalization;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Scheduling;
using LightMesh.Releases;
using Microsoft.AspNetCore.Http;

namespace LightMesh.Host.Hooks;

/// <summary>Starting the release a delivery asks for, once, however often the delivery is sent.</summary>
public sealed partial class HookReceiver
{
    private async Task<IResult> StartAsync(HookProvider provider, string? delivery, HookEvent read, CancellationToken cancellationToken)
    {
        var name = HookMetrics.NameOf(provider);
        var actor = Actor(name, read.Sender, delivery);
        var claim = delivery is null ? null : await deliveries.ClaimAsync(name, delivery, actor, cancellationToken);
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
        var (start, trigger, problem) = await RequestAsync(read, actor, cancellationToken);
        if (start is not null)
        {
            // Every version CI builds is announced, even one that cannot start now (a freeze): a Schedule may release it
            // later. A version built before the one announced is not: a Schedule releases the newest build.
            var kept = await schedules.AnnounceAsync(new Announcement(start.Service, start.Version, read.Image, actor, time.GetUtcNow(), read.BuiltAt), cancellationToken);
            if (trigger?.Spec.Mode == TriggerMode.Announce)
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
        }

        var result = start is null ? null : await releases.StartAsync(start, cancellationToken);
        if (result is { Outcome: ReleaseOutcome.Done, Release: { } release })
        {
            if (claim is not null)
            {
                await deliveries.CompleteAsync(claim, release.Id, actor, cancellationToken);
            }

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

    /// <summary>The start request: given outright (generic), or made from the ReleaseTrigger of the event's repository or image.</summary>
    private async Task<(StartRequest? Request, ReleaseTrigger? Trigger, string? Problem)> RequestAsync(HookEvent read, string actor, CancellationToken cancellationToken)
    {
        if (read.Request is { } direct)
        {
            return (direct with { Actor = actor }, null, null);
        }

        // Validation lets one repository or image map to one trigger only; the name order settles it if that was bypassed.
        var trigger = (await documents.ReadAsync(cancellationToken)).All<ReleaseTrigger>()
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

    private IResult Duplicate(HookProvider provider, string delivery, string release)
    {
        HookMetrics.Count(provider, HookOutcome.Duplicate);
        HookLog.Duplicate(logger, HookMetrics.NameOf(provider), delivery, release);
        return Results.Accepted($"{Api.ReleaseEndpoints.Root}/{release}", new { release, duplicate = true });
    }

    /// <summary><c>github:octocat (delivery 72d3…)</c>: who, through which provider, and which delivery, so a release can be traced to it.</summary>
    public static string Actor(string provider, string? sender, string? delivery) =>
        (string.IsNullOrEmpty(sender) ? provider : $"{provider}:{sender}") + (delivery is null ? "" : $" (delivery {delivery})");
}
