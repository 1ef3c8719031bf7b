using System.Net;
using System.Text.RegularExpressions;
using LightMesh.Core;
using LightMesh.Host.OperatorConsole;

namespace LightMesh.Bench;

/// <summary>
/// One open console, as a browser with the console's script holds it: signed in with its own session cookie, the
/// releases page read, the live-updates stream open, and the page's changing part read again at each notice.
/// </summary>
internal sealed partial class ConsoleViewer(Uri api, string token) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
    {
        BaseAddress = api, Timeout = TimeSpan.FromSeconds(60),
    };

    private int _reads;
    private int _notices;

    /// <summary>Pages read, the first one included.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Notices of a change the stream brought.</summary>
    public int Notices => Volatile.Read(ref _notices);

    /// <summary>Signs in through the form, as a person would: the form's token, then the API token.</summary>
    public async Task SignInAsync(CancellationToken cancellationToken)
    {
        var form = await _http.GetStringAsync("console/sign-in", cancellationToken);
        var formToken = FormToken().Match(form) is { Success: true } found ? found.Groups[1].Value : throw new LightMeshException("the console's sign-in page has no form token");
        using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["__RequestVerificationToken"] = formToken });
        using var signedIn = await _http.PostAsync("console/sign-in", body, cancellationToken);
        if (signedIn.StatusCode != HttpStatusCode.Redirect)
        {
            throw new LightMeshException($"the console refused the benchmark's sign-in: {(int)signedIn.StatusCode}");
        }
    }

    /// <summary>Reads the releases page, opens the stream, and reads the page again at each notice, until cancelled.</summary>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadPageAsync(part: false, cancellationToken);
            using var events = await _http.GetAsync("console/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            events.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await events.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _notices);
                    await ReadPageAsync(part: true, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The measurement is over.
        }
    }

    /// <summary>Reads the releases page: the whole of it, or, as the page's script does at a notice, its changing part.</summary>
    private async Task ReadPageAsync(bool part, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "console/");
        if (part)
        {
            request.Headers.Add(ConsoleEndpoints.PartHeader, "main");
        }

        using var page = await _http.SendAsync(request, cancellationToken);
        page.EnsureSuccessStatusCode();
        await page.Content.ReadAsStringAsync(cancellationToken);
        Interlocked.Increment(ref _reads);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
