using System.Collections.Concurrent;
using System.Net;


using LightMesh.Processes;

namespace LightMesh.Releases.Tests;

/// <summary>An HTTP endpoint on loopback that records every request and answers each path with the status (and body) it was given.</summary>
public sealed class RecordingEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly IReadOnlyDictionary<string, int> _statuses;
    private readonly Task _serving;

    private readonly ConcurrentDictionary<string, int> _failuresLeft;
    private readonly IReadOnlyDictionary<string, string> _bodies;

    /// <param name="failFirst">Paths that answer 503 this many times before their status.</param>
    /// <param name="bodies">What some paths answer with their status (JSON).</param>
    public RecordingEndpoint(IReadOnlyDictionary<string, int> statuses, IReadOnlyDictionary<string, int>? failFirst = null, IReadOnlyDictionary<string, string>? bodies = null)
    {
        _statuses = statuses;
        _bodies = bodies ?? new Dictionary<string, string>();
        _failuresLeft = new ConcurrentDictionary<string, int>(failFirst ?? new Dictionary<string, int>());
        Port = LoopbackPort.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public ConcurrentQueue<(string Method, string Path, string Body)> Requests { get; } = new();

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

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
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                Requests.Enqueue((context.Request.HttpMethod, context.Request.Url!.AbsolutePath, await reader.ReadToEndAsync()));
            }

            var path = context.Request.Url!.AbsolutePath;
            var failing = _failuresLeft.TryGetValue(path, out var left) && left > 0 && _failuresLeft.TryUpdate(path, left - 1, left);
            context.Response.StatusCode = failing ? 503 : _statuses.GetValueOrDefault(path, 404);
            if (!failing && _bodies.TryGetValue(path, out var body))
            {
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(body));
            }

            context.Response.Close();
        }
    }
}
