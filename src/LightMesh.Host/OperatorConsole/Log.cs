using Microsoft.Extensions.Logging;

namespace LightMesh.Host.OperatorConsole;

/// <summary>Log messages of the operator console.</summary>
internal static partial class Log
{
    [LoggerMessage(7101, LogLevel.Information, "Console sign-in with the token of {Name} ({Role})")]
    public static partial void SignedIn(ILogger logger, string name, string role);

    [LoggerMessage(7102, LogLevel.Warning, "The console's live updates stopped: its watch of the releases in etcd failed; open consoles show what they have until they are reloaded")]
    public static partial void FeedStopped(ILogger logger, Exception exception);
}
