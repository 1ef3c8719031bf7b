using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Core.Releases;
using LightMesh.Releases.Telemetry;
using Microsoft.Extensions.Logging;

namespace LightMesh.Releases.Engine;

/// <summary>
/// Tells a workflow's <c>notifications</c> URLs of each transition: a JSON POST per event, with a timeout. A URL that
/// does not answer is logged and skipped; telling is never allowed to hold a release back.
/// </summary>
public sealed class Notifier(HttpClient http, ILogger<Notifier> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task NotifyAsync(ReleaseState release, IReadOnlyList<ReleaseEvent> events, CancellationToken cancellationToken)
    {
        foreach (var url in release.Spec.Notifications)
        {
            foreach (var e in events)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(Timeout);
                try
                {
                    var body = new
                    {
                        release = release.Id, service = release.Service, version = release.Version, stable = release.StableVersion,
                        phase = release.Phase.ToString(), step = e.Step, action = e.Action, actor = e.Actor, reason = e.Reason, at = e.At,
                    };
                    using var response = await http.PostAsJsonAsync(url, body, JsonSerializerOptions.Web, timeout.Token);
                    if (!response.IsSuccessStatusCode)
                    {
                        Log.NotificationRefused(logger, release.Id, release.Service, url, (int)response.StatusCode);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    Log.NotificationFailed(logger, release.Id, release.Service, url, ex.Message);
                }
            }
        }
    }
}
