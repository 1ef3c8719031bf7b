using LightMesh.Core;
using LightMesh.Etcd;

namespace LightMesh.Bench;

/// <summary>
/// The etcd prefix a benchmark writes under and deletes when done: a fresh one, or one the caller gives that must be
/// empty, since the benchmark deletes its whole prefix at the end.
/// </summary>
internal static class BenchPrefix
{
    /// <summary>The options to run with: <paramref name="given"/>'s, under a fresh prefix unless one was given.</summary>
    public static EtcdOptions Of(EtcdOptions given) => given with
    {
        Prefix = given.Prefix == EtcdOptions.DefaultPrefix ? $"/lightmesh-bench-{Guid.NewGuid():N}/" : given.Prefix,
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// The etcd options and a connection to run with (a fresh prefix unless one was given, which must be empty); the
    /// caller disposes the connection and deletes the prefix (<see cref="DeleteAsync"/>) when done.
    /// </summary>
    public static async Task<(EtcdOptions Options, EtcdConnection Etcd)> OpenAsync(EtcdOptions given, CancellationToken cancellationToken)
    {
        var options = Of(given);
        var etcd = new EtcdConnection(options, TimeProvider.System);
        try
        {
            await EnsureEmptyAsync(etcd, cancellationToken);
            return (options, etcd);
        }
        catch
        {
            etcd.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a prefix that holds keys: they would go with the benchmark's own at the end.</summary>
    public static async Task EnsureEmptyAsync(EtcdConnection etcd, CancellationToken cancellationToken)
    {
        if (await etcd.CountPrefixAsync(etcd.Keys.Prefix, cancellationToken) is > 0 and var keys)
        {
            throw new InvalidInputException($"--prefix: {etcd.Keys.Prefix} holds {keys} keys; the benchmark deletes its prefix when done, so give an empty one");
        }
    }

    /// <summary>Deletes everything the benchmark wrote, within a minute, even when the run was cancelled.</summary>
    public static async Task DeleteAsync(EtcdConnection etcd)
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await new GuardedTxn().DeletePrefix(etcd.Keys.Prefix).CommitAsync(etcd, cleanup.Token);
    }
}
