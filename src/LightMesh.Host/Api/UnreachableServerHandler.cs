using LightMesh.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LightMesh.Host.Api;

/// <summary>
/// Answers a request whose handler could not reach a server the API depends on (etcd above all) with 503 and problem
/// details naming the server, so a caller knows to try again; every other unexpected exception answers 500 with
/// problem details that say only that the request failed, and is logged with its stack.
/// </summary>
public sealed partial class UnreachableServerHandler(ILogger<UnreachableServerHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        IResult answer;
        if (exception is ServerUnreachableException unreachable)
        {
            LogUnreachable(logger, httpContext.Request.Method, httpContext.Request.Path, unreachable.Message);
            answer = Problems.Of(StatusCodes.Status503ServiceUnavailable, [unreachable.Message]);
        }
        else
        {
            LogFailed(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            answer = Problems.Of(StatusCodes.Status500InternalServerError, ["the controller failed to answer; its log says why"]);
        }

        await answer.ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string path);
}
