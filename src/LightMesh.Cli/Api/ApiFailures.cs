using System.Net;
using LightMesh.Client;
using LightMesh.Cli.Output;

namespace LightMesh.Cli.Api;

/// <summary>Prints what the controller refused, one <c>error: </c> line per problem, and gives the exit code of its HTTP status.</summary>
public static class ApiFailures
{
    public static int Report<T>(ApiAnswer<T> answer)
        where T : class
    {
        foreach (var error in answer.Errors)
        {
            Printer.Error($"error: {error}");
        }

        return ExitCodeOf(answer.Status);
    }

    public static int ExitCodeOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge => ExitCodes.InvalidInput,
        HttpStatusCode.NotFound => ExitCodes.NotFound,
        HttpStatusCode.Conflict => ExitCodes.Conflict,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.Unauthorized,
        _ => ExitCodes.Failed,
    };
}
