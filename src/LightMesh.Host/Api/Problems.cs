using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace LightMesh.Host.Api;

/// <summary>
/// Every API error as RFC 7807 problem details (<c>application/problem+json</c>): <c>title</c> and <c>status</c>, the
/// problems joined in <c>detail</c>, and each one, naming the field or path it concerns, in the <c>errors</c> member.
/// </summary>
public static class Problems
{
    public static IResult Of(int status, IReadOnlyList<string> errors, object? release = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = status switch
            {
                StatusCodes.Status400BadRequest => "The request is not valid",
                StatusCodes.Status401Unauthorized => "Not authenticated",
                StatusCodes.Status403Forbidden => "Not allowed",
                StatusCodes.Status404NotFound => "Not found",
                StatusCodes.Status409Conflict => "Conflict",
                StatusCodes.Status413PayloadTooLarge => "The body is too large",
                StatusCodes.Status503ServiceUnavailable => "Not available now",
                _ => "The request failed",
            },
            Detail = string.Join("; ", errors),
        };
        problem.Extensions["errors"] = errors;
        if (release is not null)
        {
            problem.Extensions["release"] = release;
        }

        return Results.Problem(problem);
    }

    public static IResult BadRequest(params string[] errors) => Of(StatusCodes.Status400BadRequest, errors);

    public static IResult NotFound(params string[] errors) => Of(StatusCodes.Status404NotFound, errors);
}
