using System.Net;
using System.Text;
using LightMesh.Processes;

namespace LightMesh.Cli.Tests;

/// <summary>
/// A stand-in for the controller's Prometheus discovery on 127.0.0.1: <c>/sd</c> answers one target (this endpoint
/// itself) with the labels a test sets, only to a request with the bearer token, else 401; <c>/metrics</c> answers a gauge.
/// </summary>
internal sealed class DiscoveryEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _token;
    private readonly Task _serving;
    private volatile string _version = "v1";
    private int _refused;
    private int _answered;

    public DiscoveryEndpoint(string token)
    {
        _token = token;
        Port = LoopbackPort.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/sd");

    public Uri MetricsUrl => new($"http://127.0.0.1:{Port}/metrics");

    /// <summary>The label <c>version</c> of the target from now on.</summary>
    public string Version
    {
        set => _version = value;
    }

    public int Refused => Volatile.Read(ref _refused);

    public int Answered => Volatile.Read(ref _answered);

    public void Dispose()
    {
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            var (status, type, body) = context.Request.Url!.AbsolutePath switch
            {
                "/metrics" => (200, "text/plain; version=0.0.4", "# TYPE demo_up gauge\ndemo_up 1\n"),
                "/sd" when context.Request.Headers["Authorization"] != $"Bearer {_token}" => Refuse(),
                "/sd" => Answer(),
                _ => (404, "text/plain", "not found\n"),
            };
            response.StatusCode = status;
            response.ContentType = type;
            var bytes = Encoding.UTF8.GetBytes(body);
            try
            {
                await response.OutputStream.WriteAsync(bytes);
            }
            catch (HttpListenerException)
            {
                // The scraper hung up first (Prometheus stopping, or its scrape timed out): nothing to answer.
            }
        }
    }

    private (int, string, string) Refuse()
    {
        Interlocked.Increment(ref _refused);
        return (401, "text/plain", "no token\n");
    }

    private (int, string, string) Answer()
    {
        Interlocked.Increment(ref _answered);
        return (200, "application/json", $$$"""[{"targets":["127.0.0.1:{{{Port}}}"],"labels":{"service":"checkout","version":"{{{_version}}}"}}]""");
    }
}
