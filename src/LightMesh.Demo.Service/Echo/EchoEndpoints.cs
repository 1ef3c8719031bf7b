namespace LightMesh.Demo.Service.Echo;

/// <summary><c>GET /</c> over HTTP: an adapter over <see cref="EchoResponder"/>; the instance id is in a header.</summary>
internal static class EchoEndpoints
{
    public const string InstanceHeader = "x-lightmesh-instance";

    public static IEndpointRouteBuilder MapEcho(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", async (EchoResponder responder, HttpContext http, CancellationToken cancellationToken) =>
        {
            var answer = await responder.AnswerAsync("GET /", "200", "500", cancellationToken);
            http.Response.Headers[InstanceHeader] = answer.Instance;
            return answer.Failed
                ? Results.Text($"injected fault ({DemoOptions.ErrorRateVariable})\n", statusCode: StatusCodes.Status500InternalServerError)
                : Results.Text($"{answer.Service} {answer.Version}\n");
        });
        return endpoints;
    }
}
