using System.Net;
using System.Text.RegularExpressions;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>A console session over plain HTTP, signed in through the form as a browser would: its own cookies, no redirects followed.</summary>
internal sealed partial class ConsoleHttp : IDisposable
{
    private ConsoleHttp(Uri api) => Http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
    {
        BaseAddress = api, Timeout = TimeSpan.FromSeconds(30),
    };

    public HttpClient Http { get; }

    public static async Task<ConsoleHttp> SignInAsync(Uri api, string token)
    {
        var console = new ConsoleHttp(api);
        var form = await console.Http.GetStringAsync("console/sign-in");
        using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["__RequestVerificationToken"] = FormToken(form) });
        using var signedIn = await console.Http.PostAsync("console/sign-in", body);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return console;
    }

    /// <summary>The antiforgery token of the first form in <paramref name="page"/>.</summary>
    public static string FormToken(string page) =>
        FormTokenPattern().Match(page) is { Success: true } found ? found.Groups[1].Value : throw new InvalidOperationException($"no form token in:\n{page}");

    /// <summary>The changing part of a live page, as the page's script reads it.</summary>
    public async Task<string> PartAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Console-Part", "main" } } };
        using var answer = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return await answer.Content.ReadAsStringAsync();
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenPattern();
}
