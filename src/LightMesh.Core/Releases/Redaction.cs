using LightMesh.Core.Documents;

namespace LightMesh.Core.Releases;

/// <summary>
/// What of a workflow's receivers may be shown to anyone who reads releases or logs: a Slack incoming-webhook URL is
/// itself the credential (its path), and a webhook step's headers carry tokens. A URL keeps its scheme, host and port,
/// so a reader still sees where a call went, and loses its user info, path and query; a header keeps its name only.
/// </summary>
public static class Redaction
{
    /// <summary>What stands for a hidden part.</summary>
    public const string Hidden = "…";

    /// <summary><c>https://hooks.slack.com/…</c> for <c>https://hooks.slack.com/services/T0/B0/secret</c>.</summary>
    public static string Url(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown)
        {
            return $"(a URL){Hidden}";
        }

        var origin = uri.IsDefaultPort ? $"{uri.Scheme}://{uri.Host}" : $"{uri.Scheme}://{uri.Host}:{uri.Port}";
        var hidesSomething = uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0;
        return hidesSomething ? $"{origin}/{Hidden}" : $"{origin}/";
    }

    /// <summary>
    /// The document as someone who may read but not change documents sees it: a ReleaseWorkflow's notification and
    /// webhook URLs redacted and its webhook headers' values hidden; every other kind as it is.
    /// </summary>
    public static Document Document(Document document) => document switch
    {
        ReleaseWorkflow workflow => workflow with { Spec = Spec(workflow.Spec) },
        _ => document,
    };

    /// <summary>A workflow spec with its receivers redacted (see <see cref="Document"/>).</summary>
    public static ReleaseWorkflowSpec Spec(ReleaseWorkflowSpec spec) => spec with
    {
        Notifications = [.. spec.Notifications.Select(Url)],
        Steps = [.. spec.Steps.Select(step => step is WebhookStep webhook
            ? webhook with { Url = Url(webhook.Url), Headers = webhook.Headers?.ToDictionary(h => h.Key, _ => Hidden, StringComparer.Ordinal) }
            : step)],
    };
}
