using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace LightMesh.Cli.Bench;

/// <summary>
/// The controller's release endpoints as the benchmark calls them: many starts or resumes at once with a bound on the
/// requests in flight, each with a timeout; a refused request is counted and its first answer kept, not thrown.
/// </summary>
internal sealed class ReleaseApi(HttpClient http, Uri api)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The releases a batch of requests reached, each request's time, and the first refusal, if any.</summary>
    public sealed record Batch(IReadOnlyList<string> Ids, IReadOnlyList<double> Latencies, string? Failure);

    /// <summary>Starts a release of each service's v2 with the benchmark's workflow.</summary>
    public Task<Batch> StartAllAsync(IReadOnlyList<string> services, int concurrency, CancellationToken cancellationToken) =>
        ManyAsync(services, concurrency, (service, token) => PostAsync(
            "api/v1/releases", JsonContent.Create(new { service, version = "v2", workflow = BenchReleasesCommand.Workflow, actor = "bench" }), token), cancellationToken);

    public Task<Batch> ResumeAllAsync(IReadOnlyList<string> ids, int concurrency, CancellationToken cancellationToken) =>
        ManyAsync(ids, concurrency, (id, token) => PostAsync($"api/v1/releases/{Uri.EscapeDataString(id)}/resume", null, token), cancellationToken);

    private static async Task<Batch> ManyAsync(IReadOnlyList<string> items, int concurrency, Func<string, CancellationToken, Task<(string? Id, string? Error)>> call, CancellationToken cancellationToken)
    {
        var ids = new ConcurrentBag<string>();
        var latencies = new ConcurrentBag<double>();
        string? failure = null;
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (item, token) =>
        {
            var sent = Stopwatch.GetTimestamp();
            var (id, error) = await call(item, token);
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            if (id is not null)
            {
                ids.Add(id);
            }
            else
            {
                Interlocked.CompareExchange(ref failure, $"{item}: {error}", null);
            }
        });
        return new Batch([.. ids], [.. latencies], failure);
    }

    /// <summary>Posts and answers the release's id, or why not.</summary>
    private async Task<(string? Id, string? Error)> PostAsync(string path, HttpContent? body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await http.PostAsync(new Uri(api, path), body, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"{(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
            }

            using var view = JsonDocument.Parse(text);
            return (view.RootElement.GetProperty("id").GetString(), null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, e is OperationCanceledException ? $"no answer within {RequestTimeout.TotalSeconds} s" : e.Message);
        }
        finally
        {
            body?.Dispose();
        }
    }
}
