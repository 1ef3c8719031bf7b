using LightMesh.Core;

namespace LightMesh.Testing;

/// <summary>Waits for a condition by polling it until a deadline: how tests wait, instead of sleeping.</summary>
public static class Poll
{
    /// <summary>
    /// Probes until <paramref name="done"/> holds. A probe that finds its server momentarily unreachable (an etcd
    /// read that hit its deadline on a loaded machine) counts as "not yet"; any other exception ends the wait.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T? last = default;
        ServerUnreachableException? unreachable = null;
        do
        {
            try
            {
                last = await probe();
                unreachable = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (ServerUnreachableException e)
            {
                unreachable = e;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        throw unreachable is null
            ? new TimeoutException($"timed out after {timeout} waiting for {what}; last value: {last}")
            : new TimeoutException($"timed out after {timeout} waiting for {what}; the last probe failed: {unreachable.Message}", unreachable);
    }
}
