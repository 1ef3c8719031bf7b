namespace LightMesh.Core.Validation;

/// <summary>The retry conditions a route's <c>retryOn</c> may list (Envoy's HTTP and gRPC ones, and status codes).</summary>
public static class RetryConditions
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited",
        "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers", "http3-post-connect-failure",
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    };

    /// <summary>Returns why <paramref name="retryOn"/> is not a valid list, or null.</summary>
    public static string? Check(string retryOn)
    {
        var unknown = retryOn.Split(',')
            .Select(c => c.Trim())
            .Where(c => !Known.Contains(c) && !(int.TryParse(c, out var status) && status is >= 100 and <= 599))
            .ToList();
        return unknown.Count == 0
            ? null
            : $"unknown retry condition{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"\"{u}\""))} (known: {string.Join(", ", Known.Order(StringComparer.Ordinal))}, or an HTTP status code)";
    }
}
