using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LightMesh.Core.Analysis;

namespace LightMesh.Analysis;

/// <summary>
/// Prometheus' HTTP API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>). Every failure becomes an answer with the
/// reason: unreachable, timed out, an HTTP error, or a query Prometheus rejects (told apart, since retrying cannot help).
/// Takes its <see cref="HttpClient"/> from the caller, so it works as a typed client of <c>IHttpClientFactory</c>.
/// </summary>
public sealed class PrometheusClient(HttpClient http, PrometheusAuth? auth = null)
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An instant query at <paramref name="at"/>: a scalar, or one value per series of a vector.</summary>
    public Task<QueryAnswer> QueryAsync(Uri prometheus, string query, DateTimeOffset at, CancellationToken cancellationToken) =>
        SendAsync(prometheus, $"api/v1/query?query={Uri.EscapeDataString(query)}&time={Unix(at)}", cancellationToken);

    /// <summary>A range query: every point of every series from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public Task<QueryAnswer> QueryRangeAsync(Uri prometheus, string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken) =>
        SendAsync(prometheus, $"api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Unix(start)}&end={Unix(end)}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}", cancellationToken);

    private static string Unix(DateTimeOffset at) => (at.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);

    private async Task<QueryAnswer> SendAsync(Uri prometheus, string pathAndQuery, CancellationToken cancellationToken)
    {
        var uri = new Uri(prometheus.AbsoluteUri.EndsWith('/') ? prometheus : new Uri(prometheus.AbsoluteUri + "/"), pathAndQuery);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (auth?.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (auth?.Username is { } user)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{auth.Password}")));
        }

        using var timeout = new CancellationTokenSource(Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await http.SendAsync(request, linked.Token);
            var body = await response.Content.ReadAsStringAsync(linked.Token);
            return Read(response.StatusCode, body, prometheus);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return QueryAnswer.NotReached($"Prometheus at {prometheus} did not answer within {Timeout.TotalSeconds}s");
        }
        catch (HttpRequestException e)
        {
            return QueryAnswer.NotReached($"Prometheus at {prometheus} could not be reached: {e.Message}");
        }
    }

    private static QueryAnswer Read(HttpStatusCode status, string body, Uri prometheus)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return QueryAnswer.Failure($"Prometheus at {prometheus} answered {(int)status} {status} without a JSON body");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.TryGetProperty("status", out var s) && s.GetString() == "success" && status == HttpStatusCode.OK)
            {
                return new QueryAnswer(Values(root.GetProperty("data")));
            }

            var errorType = root.TryGetProperty("errorType", out var t) ? t.GetString() : null;
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : body;
            return errorType == "bad_data"
                ? QueryAnswer.Failure($"bad query: {error}", badQuery: true)
                : QueryAnswer.Failure($"Prometheus answered {(int)status} ({errorType ?? status.ToString()}): {error}");
        }
    }

    private static List<double> Values(JsonElement data)
    {
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() switch
        {
            "scalar" => [Number(result[1])],
            "vector" => result.EnumerateArray().Select(series => Number(series.GetProperty("value")[1])).ToList(),
            "matrix" => result.EnumerateArray().SelectMany(series => series.GetProperty("values").EnumerateArray().Select(point => Number(point[1]))).ToList(),
            _ => [],
        };
    }

    /// <summary>Prometheus writes sample values as strings, including "NaN", "+Inf" and "-Inf".</summary>
    private static double Number(JsonElement value) => value.GetString() switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text!, CultureInfo.InvariantCulture),
    };
}
