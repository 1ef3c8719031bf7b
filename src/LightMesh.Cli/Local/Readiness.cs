namespace LightMesh.Cli.Local;

/// <summary>
/// When a started process counts as ready: a probe, polled until it answers true or <see cref="Timeout"/> passes.
/// Each attempt gets a token that ends after <see cref="AttemptTimeout"/>; an attempt that throws counts as "not yet".
/// </summary>
/// <param name="Description">What the probe waits for, for the error message ("GET http://127.0.0.1:2379/health answers \"health\":\"true\"").</param>
public sealed record Readiness(string Description, Func<CancellationToken, Task<bool>> Probe, TimeSpan Timeout)
{
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
}
