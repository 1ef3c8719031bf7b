using System.Collections.Concurrent;
using System.Diagnostics;
using LightMesh.Client;
using LightMesh.Core;
using LightMesh.Host.Api;

namespace LightMesh.Bench;

/// <summary>
/// The controller's release endpoints as the benchmark calls them, through the CLI's own <see cref="ReleaseClient"/>:
/// many starts or resumes at once with a bound on the requests in flight; a refused request is counted and its
/// first answer kept, not thrown.
/// </summary>
internal sealed class ReleaseApi(Uri api, string token) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);
    private readonly ReleaseClient _client = new(api, RequestTimeout, token, "the benchmark");

    /// <summary>The releases a batch of requests reached, each request's time, and the first refusal, if any.</summary>
    public sealed record Batch(IReadOnlyList<string> Ids, IReadOnlyList<double> Latencies, string? Failure);

    /// <summary>Starts a release of each service's v2 with the benchmark's workflow (<paramref name="workflow"/>, or the releases benchmark's).</summary>
    public Task<Batch> StartAllAsync(IReadOnlyList<string> services, int concurrency, CancellationToken cancellationToken, string workflow = BenchReleasesCommand.Workflow) =>
        ManyAsync(services, concurrency, (service, token) => CallAsync(() => _client.StartAsync(new StartBody(service, "v2", workflow, null, null, "bench", null), token)), cancellationToken);

    /// <summary>One operator action on one release: its id once done, or why not.</summary>
    public Task<(string? Id, string? Error)> ActAsync(string id, string action, CancellationToken cancellationToken) =>
        CallAsync(() => _client.ActAsync(id, action, "bench", cancellationToken));

    public Task<Batch> ResumeAllAsync(IReadOnlyList<string> ids, int concurrency, CancellationToken cancellationToken) =>
        ManyAsync(ids, concurrency, (id, token) => CallAsync(() => _client.ActAsync(id, "resume", "bench", token)), cancellationToken);

    /// <summary>Times <paramref name="reads"/> reads of the first page of the release list, one after another.</summary>
    public async Task<LatencySummary> TimeFirstPageAsync(int reads, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        for (var i = 0; i < reads; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            var answer = await _client.ListAsync(new ReleaseListRequest(), cancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            if (answer.Value is null)
            {
                throw new LightMeshException($"the release list answered {(int)answer.Status}: {string.Join("; ", answer.Errors)}");
            }
        }

        return LatencySummary.Of(latencies);
    }

    public void Dispose() => _client.Dispose();

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

    /// <summary>The release's id, or why not.</summary>
    private static async Task<(string? Id, string? Error)> CallAsync(Func<Task<ApiAnswer<ReleaseView>>> call)
    {
        try
        {
            var answer = await call();
            return answer.Value is { } release ? (release.Id, null) : (null, $"{(int)answer.Status} {string.Join("; ", answer.Errors)}");
        }
        catch (LightMeshException e)
        {
            return (null, e.Message);
        }
    }
}
