using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Scheduling;
using LightMesh.Host.Api;
using LightMesh.Releases;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.Host.Hooks;

/// <summary>
/// Handles one CI webhook delivery: authenticates it (signature or token, checked on the raw body before anything is
/// parsed), reads what it asks for, and starts the release through <see cref="ReleaseService"/>, the same service the
/// API and CLI use. A delivery that is refused starts nothing.
/// </summary>
public sealed partial class HookReceiver(ReleaseService releases, DocumentStore documents, HookDeliveries deliveries, ScheduleStore schedules, TimeProvider time, IOptions<HookOptions> options, ILogger<HookReceiver> logger)
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
                return await StartAsync(provider, delivery, read, cancellationToken);
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
}
