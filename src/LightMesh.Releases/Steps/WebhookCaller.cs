using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LightMesh.Core.Releases;

namespace LightMesh.Releases.Steps;

/// <summary>The outcome of a webhook step: passed, or why not (status, timeout, connection failure).</summary>
public sealed record WebhookOutcome(bool Passed, string Reason);

/// <summary>
/// Carries out a release's <c>webhook</c> step: calls the URL (POST with a JSON description of the release unless the
/// step says otherwise), with a timeout, and passes on the expected status or any 2xx. Anything else fails the step.
/// </summary>
public sealed class WebhookCaller(HttpClient http)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public async Task<WebhookOutcome> CallAsync(WebhookStep webhook, ReleaseState release, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(webhook.Method ?? "POST"), webhook.Url);
        if (request.Method != HttpMethod.Get)
        {
            var body = webhook.Body ?? JsonSerializer.Serialize(new
            {
                release = release.Id, service = release.Service, version = release.Version, stable = release.StableVersion,
                step = release.Step, canaryWeight = release.CanaryWeight, phase = release.Phase.ToString(),
            }, JsonSerializerOptions.Web);
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        foreach (var (name, value) in webhook.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var timeout = webhook.Timeout?.Value ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            using var response = await http.SendAsync(request, linked.Token);
            var status = (int)response.StatusCode;
            var passed = webhook.ExpectStatus is { } expected ? status == expected : status is >= 200 and < 300;
            return new WebhookOutcome(passed, $"{request.Method} {Redaction.Url(webhook.Url)} answered {status}{(passed ? "" : $", expected {webhook.ExpectStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "2xx"}")}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new WebhookOutcome(false, $"{request.Method} {Redaction.Url(webhook.Url)} did not answer within {timeout.TotalSeconds}s");
        }
        catch (HttpRequestException e)
        {
            return new WebhookOutcome(false, $"{request.Method} {Redaction.Url(webhook.Url)} could not be reached: {e.Message}");
        }
    }
}
