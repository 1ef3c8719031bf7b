using System.Collections.Concurrent;
using WorkflowCore.Interface;

namespace LightMesh.DurableExecution;

/// <summary>
/// WorkflowCore's grey list (what the poller does not queue again because it was queued a moment ago), with entries
/// that lapse after <paramref name="ttl"/> instead of WorkflowCore's five minutes. WorkflowCore leaves a workflow on its
/// list when the workflow's lock could not be taken (etcd away, or a lock the term before still held under its lease):
/// with its own list, such a workflow was not run again for five minutes. The queue and the lock already keep a
/// workflow from running twice, so a short list loses nothing.
/// </summary>
public sealed class ShortGreyList(TimeProvider time, TimeSpan ttl) : IGreyList
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _listed = new(StringComparer.Ordinal);

    public void Add(string id) => _listed[id] = time.GetUtcNow();

    public void Remove(string id) => _listed.TryRemove(id, out _);

    public bool Contains(string id)
    {
        if (!_listed.TryGetValue(id, out var since))
        {
            return false;
        }

        if (time.GetUtcNow() - since < ttl)
        {
            return true;
        }

        _listed.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, since));
        return false;
    }
}
