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

    public async Task<IResult> ReceiveAsync(HookProvider provider, HttpRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (deliveryHeader, given) = DeliveryOf(provider, request.Headers);

        // An id that would make a bad etcd key or log line is refused, though only once the delivery is authentic.
        var validId = given is null || given.Length <= MaxDeliveryIdLength && !given.Any(char.IsControl);
        var delivery = validId ? given : null;
        var (secret, secretKey) = settings.SecretOf(provider);
        if (secret is null)
        {
            return Refuse(provider, delivery, HookOutcome.Unauthorized, $"no secret configured for {HookMetrics.NameOf(provider)} (set {secretKey})");
        }

        var credentialHeader = provider switch
        {
            HookProvider.GitHub => GitHubEvents.SignatureHeader,
            HookProvider.GitLab => GitLabEvents.TokenHeader,
            _ => GenericEvents.SignatureHeader,
        };
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

        var authentic = provider == HookProvider.GitLab ? HookSignatures.IsToken(secret, credential) : HookSignatures.IsSignedBy(secret, body, credential);
        if (!authentic)
        {
            return Refuse(provider, delivery, HookOutcome.Unauthorized, provider == HookProvider.GitLab
                ? $"{credentialHeader}: not the configured token"
                : $"{credentialHeader}: not the HMAC-SHA256 of the body with the configured secret (sha256=HEX)");
        }

        if (!validId)
        {
            return Refuse(provider, null, HookOutcome.Invalid, $"{deliveryHeader}: must be at most {MaxDeliveryIdLength} printable characters");
        }

        var read = provider switch
        {
            HookProvider.GitHub => GitHubEvents.Read(request.Headers[GitHubEvents.EventHeader].ToString(), body),
            HookProvider.GitLab => GitLabEvents.Read(request.Headers[GitLabEvents.EventHeader].ToString(), body),
            _ => GenericEvents.Read(body),
        };
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

    /// <summary>The header naming a delivery and its value: the same on every redelivery of it; none for a generic call without one.</summary>
    private static (string Header, string? Id) DeliveryOf(HookProvider provider, IHeaderDictionary headers)
    {
        static string? Value(IHeaderDictionary headers, string name) => headers[name].ToString() is { Length: > 0 } value ? value : null;

        return provider switch
        {
            HookProvider.GitHub => (GitHubEvents.DeliveryHeader, Value(headers, GitHubEvents.DeliveryHeader)),
            HookProvider.GitLab => Value(headers, GitLabEvents.IdempotencyHeader) is { } key
                ? (GitLabEvents.IdempotencyHeader, key)
                : (GitLabEvents.EventIdHeader, Value(headers, GitLabEvents.EventIdHeader)),
            _ => (GenericEvents.IdempotencyHeader, Value(headers, GenericEvents.IdempotencyHeader)),
        };
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
