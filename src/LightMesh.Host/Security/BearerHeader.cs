using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace LightMesh.Host.Security;

/// <summary>Reads <c>Authorization: Bearer TOKEN</c>, and says what is wrong with it without repeating it.</summary>
public static class BearerHeader
{
    public const string Scheme = "Bearer";

    public const string Missing = "Authorization: a bearer token is required (Authorization: Bearer TOKEN)";
    public const string Malformed = "Authorization: must be \"Bearer TOKEN\"";
    public const string Unknown = "Authorization: the bearer token is not valid";

    /// <summary>The presented token; null, with why, when there is none or the header is not a bearer token.</summary>
    public static string? Read(HttpRequest request, out string? problem)
    {
        var values = request.Headers[HeaderNames.Authorization];
        if (values.Count == 0)
        {
            problem = Missing;
            return null;
        }

        var header = values.Count == 1 ? values[0] ?? "" : "";
        var token = header.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase) ? header[(Scheme.Length + 1)..].Trim() : "";
        problem = token.Length == 0 ? Malformed : null;
        return problem is null ? token : null;
    }
}
