using Microsoft.Extensions.Logging;

namespace LightMesh.Host.Security;

/// <summary>Log messages of the API's authentication. A token is never logged: only its holder's name or its file.</summary>
internal static partial class Log
{
    [LoggerMessage(7001, LogLevel.Information, "API tokens: {Count} configured ({Names})")]
    public static partial void TokensConfigured(ILogger logger, int count, string names);

    [LoggerMessage(7002, LogLevel.Warning, "No API token is configured: made an initial admin token and wrote it to {TokenFile} (readable by this user only); configure tokens under LightMesh:Auth:Tokens to replace it")]
    public static partial void InitialAdminCreated(ILogger logger, string tokenFile);

    [LoggerMessage(7003, LogLevel.Information, "No API token is configured: accepting the initial admin token that {CreatedBy} made at {CreatedAt} (its file, {TokenFile}, is on that controller's host)")]
    public static partial void InitialAdminInUse(ILogger logger, string createdBy, DateTimeOffset createdAt, string tokenFile);
}
