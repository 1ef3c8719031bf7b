using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using LightMesh.Host.Hooks;

namespace LightMesh.Bench;

/// <summary>Signs and sends generic webhook deliveries to a controller (<c>POST /api/v1/hooks/generic</c>) and reads their answers.</summary>
internal sealed class HookSender(HttpClient http, Uri api, string secret)
{
    private readonly Uri _hook = new(api, $"{HookEndpoints.Root.TrimStart('/')}/generic");

    /// <summary>A delivery asking for a release of <paramref name="version"/> of <paramref name="service"/> with the benchmark's workflow.</summary>
    public HookDelivery Delivery(string id, string service, string version)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { service, version, workflow = BenchHooksCommand.Workflow });
        return new HookDelivery(id, service, version, body, HookSignatures.Sign(secret, body));
    }

    /// <summary>Sends <paramref name="delivery"/> with its id and signature; a failure to get an answer is an answer with status 0.</summary>
    public async Task<HookAnswer> SendAsync(HookDelivery delivery, DeliveryKind kind, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _hook) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(GenericEvents.SignatureHeader, delivery.Signature);
        request.Headers.Add(GenericEvents.IdempotencyHeader, delivery.Id);
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            var body = Parse(text);
            var problem = body?["errors"] is JsonArray errors ? string.Join("; ", errors.Select(e => e?.ToString())) : (int)response.StatusCode >= 300 ? text : null;
            return new HookAnswer(
                delivery, kind, (int)response.StatusCode, body?["release"]?.GetValue<string>(), body?["duplicate"]?.GetValue<bool>() == true, problem, elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HookAnswer(delivery, kind, 0, null, false, e.Message, Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        }
    }

    private static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
