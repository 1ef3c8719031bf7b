using Microsoft.Extensions.Logging;

namespace LightMesh.Host.Hooks;

/// <summary>Log messages of the CI webhooks. A secret or a signature is never logged.</summary>
internal static partial class HookLog
{
    [LoggerMessage(7101, LogLevel.Information, "Webhook {Provider} delivery {Delivery}: started release {ReleaseId} of {Service} {Version} for {Actor}")]
    public static partial void Started(ILogger logger, string provider, string delivery, string releaseId, string service, string version, string actor);

    [LoggerMessage(7102, LogLevel.Information, "Webhook {Provider} delivery {Delivery}: already handled, release {ReleaseId}")]
    public static partial void Duplicate(ILogger logger, string provider, string delivery, string releaseId);

    [LoggerMessage(7103, LogLevel.Information, "Webhook {Provider} delivery {Delivery}: ignored, {Reason}")]
    public static partial void Ignored(ILogger logger, string provider, string delivery, string reason);

    [LoggerMessage(7104, LogLevel.Warning, "Webhook {Provider} delivery {Delivery}: refused with {Status}, {Reason}")]
    public static partial void Refused(ILogger logger, string provider, string delivery, int status, string reason);

    [LoggerMessage(7107, LogLevel.Information, "Webhook {Provider} delivery {Delivery}: refused with 409 for now, {Reason}")]
    public static partial void RefusedForNow(ILogger logger, string provider, string delivery, string reason);

    [LoggerMessage(7105, LogLevel.Warning, "Webhook {Provider} delivery {Delivery}: claimed at {ClaimedAt} and never finished; handling it again")]
    public static partial void Reclaimed(ILogger logger, string provider, string delivery, DateTimeOffset claimedAt);

    [LoggerMessage(7106, LogLevel.Information, "Webhook {Provider} delivery {Delivery}: announced {Service} {Version} ({Trigger}); a Schedule releases it")]
    public static partial void Announced(ILogger logger, string provider, string delivery, string service, string version, string trigger);

    [LoggerMessage(7109, LogLevel.Information, "Webhook {Provider} delivery {Delivery}: started group release {GroupId} of {Workflow} for {Actor}")]
    public static partial void GroupStarted(ILogger logger, string provider, string delivery, string groupId, string workflow, string actor);

    [LoggerMessage(7108, LogLevel.Information, "Webhook {Provider} delivery {Delivery}: already handled, announced {Service} {Version}")]
    public static partial void DuplicateAnnouncement(ILogger logger, string provider, string delivery, string service, string version);
}
