using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// The changing part of a live page (its <c>&lt;main&gt;</c>, which holds nothing of the person reading it), rendered
/// once per change to the releases for every open console that reads it again: fifty consoles on one page cost one
/// render a change, not fifty. A part is kept for the revision the feed had seen when it was asked for, and made again
/// once the feed sees a newer one; with no feed running, nothing is kept.
/// </summary>
public sealed class ConsoleParts(ReleaseFeed feed, IServiceProvider services, ILoggerFactory loggers)
{
    /// <summary>More pages than this at once (filters, page tokens, releases) and the kept parts are dropped, not grown.</summary>
    public const int MaxKept = 500;

    private readonly ConcurrentDictionary<string, (long Revision, Lazy<Task<string?>> Html)> _kept = new(StringComparer.Ordinal);

    /// <summary>
    /// The part <typeparamref name="T"/> renders for <paramref name="key"/> (the page's path and query, and what the reader
    /// may do) with the parameters <paramref name="parameters"/> reads, rendered only when no current one is kept; null
    /// when there is nothing to show (the parameters are null: the release is gone).
    /// </summary>
    public async Task<string?> GetAsync<T>(string key, Func<Task<Dictionary<string, object?>?>> parameters)
        where T : IComponent
    {
        var revision = feed.Revision;
        if (revision == 0)
        {
            return await RenderAsync<T>(parameters);
        }

        if (_kept.Count > MaxKept)
        {
            _kept.Clear();
        }

        var made = new Lazy<Task<string?>>(() => RenderAsync<T>(parameters));
        var entry = _kept.AddOrUpdate(key, _ => (revision, made), (_, old) => old.Revision >= revision ? old : (revision, made));
        try
        {
            return await entry.Html.Value;
        }
        catch
        {
            // A failed read (etcd away) is not kept: the next reader tries again.
            _kept.TryRemove(new KeyValuePair<string, (long, Lazy<Task<string?>>)>(key, entry));
            throw;
        }
    }

    private async Task<string?> RenderAsync<T>(Func<Task<Dictionary<string, object?>?>> read)
        where T : IComponent
    {
        if (await read() is not { } parameters)
        {
            return null;
        }

        parameters[nameof(ConsolePage.MainOnly)] = true;
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () => (await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}
