using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using LightMesh.Core;

namespace LightMesh.Processes;

/// <summary>
/// When a started process counts as ready: a probe, polled until it answers true or <see cref="Timeout"/> passes.
/// Each attempt gets a token that ends after <see cref="AttemptTimeout"/>; an attempt that throws counts as "not yet".
/// </summary>
/// <param name="Description">What the probe waits for, for the error message ("GET http://127.0.0.1:2379/health answers \"health\":\"true\"").</param>
public sealed record Readiness(string Description, Func<CancellationToken, Task<bool>> Probe, TimeSpan Timeout)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MinimumAttempt = TimeSpan.FromMilliseconds(200);

    // Every attempt carries its own deadline (AttemptTimeout), so the client needs none of its own.
    private static readonly HttpClient Client = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Ready when a GET of <paramref name="url"/> gets an answer <paramref name="accept"/> accepts (given the response and its body).</summary>
    public static Readiness Http(Uri url, string expectation, Func<HttpResponseMessage, string, bool> accept, TimeSpan timeout) =>
        new($"GET {url} {expectation}", async cancellationToken =>
        {
            using var response = await Client.GetAsync(url, cancellationToken);
            return accept(response, await response.Content.ReadAsStringAsync(cancellationToken));
        }, timeout);

    /// <summary>Ready when a GET of <paramref name="url"/> answers with a success status (2xx).</summary>
    public static Readiness Answers(Uri url, TimeSpan timeout) =>
        Http(url, "answers 2xx", (response, _) => response.IsSuccessStatusCode, timeout);

    /// <summary>Ready once the controller at <paramref name="api"/> answers <paramref name="token"/> and leads the release engine.</summary>
    public static Readiness ControllerLeads(Uri api, string token, TimeSpan timeout) =>
        new($"GET {api}api/v1/controller answers \"leader\": true", async cancellationToken =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api, "api/v1/controller"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await Client.SendAsync(request, cancellationToken);
            using var view = JsonDocument.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(cancellationToken));
            return view.RootElement.TryGetProperty("leader", out var leader) && leader.GetBoolean();
        }, timeout);

    /// <summary>
    /// Polls <see cref="Probe"/> until it passes. Throws, with <paramref name="explain"/> of what went wrong, when
    /// <paramref name="exited"/> says why the process will never be ready (it exited), or when <see cref="Timeout"/> passes.
    /// </summary>
    /// <param name="name">What the process is to a user ("etcd"), for the message.</param>
    /// <param name="exited">Null while the process runs; else the headline of its end ("etcd exited with code 1 before it was ready").</param>
    /// <param name="explain">The message for a headline: where the process's log is, and its last lines.</param>
    public async Task WaitAsync(string name, Func<Task<string?>> exited, Func<string, string> explain, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var last = "no attempt finished";
        while (true)
        {
            if (await exited() is { } end)
            {
                throw new LightMeshException(explain(end));
            }

            // The last attempt may not outlast the deadline by much, nor be cut too short to answer at all.
            var remaining = Timeout - waited.Elapsed;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(remaining < MinimumAttempt ? MinimumAttempt : remaining < AttemptTimeout ? remaining : AttemptTimeout);
            try
            {
                if (await Probe(attempt.Token))
                {
                    return;
                }

                last = "not ready yet";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = $"no answer within {Seconds(AttemptTimeout)}";
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Anything a probe meets while the server comes up (refused connections, odd answers) means "not yet".
                last = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            }

            if (waited.Elapsed >= Timeout)
            {
                throw new LightMeshException(explain($"{name} was not ready within {Seconds(Timeout)}: waited for {Description}; the last attempt: {last}"));
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    public static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.#} s";
}
