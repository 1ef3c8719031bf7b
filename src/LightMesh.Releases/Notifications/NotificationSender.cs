using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Core.Releases;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Notifications;

/// <summary>
/// Posts one transition of a release (or of a group release) to one of its workflow's <c>notifications</c> URLs: JSON (Slack's shape for Slack
/// URLs and those ending in <c>#slack</c>), each attempt with a timeout, tried three times. A receiver that stays down
/// is logged and given up on for that event; which events are still to tell is the <see cref="NotificationOutbox"/>'s.
/// </summary>
public sealed class NotificationSender(HttpClient http, ILogger<NotificationSender> logger, TimeProvider time)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private const int Attempts = 3;

    /// <summary>Sends <paramref name="e"/>, the event at <paramref name="sequence"/> in the release's log; true once a receiver took it.</summary>
    public Task<bool> SendAsync(ReleaseState release, int sequence, ReleaseEvent e, string url, CancellationToken cancellationToken) =>
        PostAsync(url, $"release {release.Id} ({release.Service})", IsSlack(new Uri(url))
            ? new { text = $"*{release.Service}* {release.StableVersion} → {release.Version} ({release.Id}): {e.Action} by {e.Actor}: {e.Reason}" }
            : new
            {
                release = release.Id, sequence, service = release.Service, version = release.Version, stable = release.StableVersion,
                phase = release.Phase.ToString(), step = e.Step, action = e.Action, actor = e.Actor, reason = e.Reason, at = e.At,
            }, cancellationToken);

    /// <summary>
    /// Sends <paramref name="e"/>, the event at <paramref name="sequence"/> in a group release's log, to one of its group
    /// workflow's URLs; true once a receiver took it. A receiver tells a repeat by the group id and the sequence.
    /// </summary>
    public Task<bool> SendGroupAsync(ReleaseGroupState group, int sequence, ReleaseEvent e, string url, CancellationToken cancellationToken) =>
        PostAsync(url, $"group release {group.Id} ({group.Workflow})", IsSlack(new Uri(url))
            ? new { text = $"*group {group.Workflow}* ({group.Id}: {string.Join(", ", group.Members.Select(m => $"{m.Service} {m.Version}"))}): {e.Action} by {e.Actor}: {e.Reason}" }
            : new
            {
                group = group.Id, sequence, workflow = group.Workflow, phase = group.Phase.ToString(),
                members = group.Members.ToDictionary(m => m.Service, m => m.Version, StringComparer.Ordinal),
                action = e.Action, actor = e.Actor, reason = e.Reason, at = e.At,
            }, cancellationToken);

    /// <summary>Posts <paramref name="body"/> to <paramref name="url"/>; <paramref name="subject"/> says what it tells of in the log (a release, a group release).</summary>
    private async Task<bool> PostAsync(string url, string subject, object body, CancellationToken cancellationToken)
    {
        var target = new Uri(url);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                using var content = JsonContent.Create(body, body.GetType(), options: JsonSerializerOptions.Web);
                using var response = await http.PostAsync(target, content, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                Log.NotificationRefused(logger, subject, Redaction.Url(url), (int)response.StatusCode);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.NotificationFailed(logger, subject, Redaction.Url(url), ex.Message);
            }

            if (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), time, cancellationToken);
            }
        }

        return false;
    }

    /// <summary>Slack's incoming webhooks, or any URL ending in <c>#slack</c> (a fragment is never sent), get <c>{"text": ...}</c>.</summary>
    private static bool IsSlack(Uri url) => url.Host == "hooks.slack.com" || url.Fragment == "#slack";
}
