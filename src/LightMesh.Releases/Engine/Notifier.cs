using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using LightMesh.Core.Releases;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Engine;

/// <summary>
/// Tells a workflow's <c>notifications</c> URLs of each transition: a JSON POST per event (Slack's shape for Slack
/// URLs and those ending in <c>#slack</c>), in order, each with a
/// timeout and retried twice. Telling never holds a release back: transitions are queued and sent in the background;
/// a receiver that stays down is logged and skipped, and the queue drops its oldest entries if it ever fills.
/// </summary>
public sealed class Notifier : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private const int Attempts = 3;
    private const int QueueLimit = 10_000;

    private readonly HttpClient _http;
    private readonly ILogger<Notifier> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<(ReleaseState Release, ReleaseEvent Event, string Url)> _queue =
        Channel.CreateBounded<(ReleaseState, ReleaseEvent, string)>(new BoundedChannelOptions(QueueLimit) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;

    public Notifier(HttpClient http, ILogger<Notifier> logger, TimeProvider time)
    {
        _http = http;
        _logger = logger;
        _time = time;
        _sending = Task.Run(SendAllAsync);
    }

    /// <summary>Queues every event for every URL of the release's workflow; returns at once.</summary>
    public Task NotifyAsync(ReleaseState release, IReadOnlyList<ReleaseEvent> events, CancellationToken cancellationToken)
    {
        foreach (var url in release.Spec.Notifications)
        {
            foreach (var e in events)
            {
                _queue.Writer.TryWrite((release, e, url));
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        _sending.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task SendAllAsync()
    {
        try
        {
            await foreach (var (release, e, url) in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                await SendAsync(release, e, url);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: what is still queued is not sent.
        }
    }

    /// <summary>Slack's incoming webhooks, or any URL ending in <c>#slack</c> (a fragment is never sent), get <c>{"text": ...}</c>.</summary>
    private static bool IsSlack(Uri url) => url.Host == "hooks.slack.com" || url.Fragment == "#slack";

    private async Task SendAsync(ReleaseState release, ReleaseEvent e, string url)
    {
        var target = new Uri(url);
        object body = IsSlack(target)
            ? new { text = $"*{release.Service}* {release.StableVersion} → {release.Version} ({release.Id}): {e.Action} by {e.Actor}: {e.Reason}" }
            : new
            {
                release = release.Id, service = release.Service, version = release.Version, stable = release.StableVersion,
                phase = release.Phase.ToString(), step = e.Step, action = e.Action, actor = e.Actor, reason = e.Reason, at = e.At,
            };
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(Timeout);
            try
            {
                using var content = JsonContent.Create(body, body.GetType(), options: JsonSerializerOptions.Web);
                using var response = await _http.PostAsync(target, content, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                Log.NotificationRefused(_logger, release.Id, release.Service, url, (int)response.StatusCode);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !_stop.IsCancellationRequested))
            {
                Log.NotificationFailed(_logger, release.Id, release.Service, url, ex.Message);
            }

            if (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), _time, _stop.Token);
            }
        }
    }
}
