using System.Diagnostics;
using System.Threading.Channels;
using LightMesh.Etcd.Leases;
using LightMesh.Etcd.Watching;
using LightMesh.Testing;
using Xunit.Abstractions;

namespace LightMesh.Etcd.Tests;

/// <summary>Its own three-member cluster: members are killed here, which the shared single etcd must never see.</summary>
public sealed class FailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// How long one call may take while a quorum is alive, the caller's one retry included: twice the request timeout (a
    /// read is tried again for up to one request timeout, the last try having its own), and a second for the caller.
    /// </summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private const string Prefix = "/failover/";
    private const string Counter = Prefix + "counter";
    private EtcdCluster? _cluster;

    private EtcdCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster is not started");

    public async Task InitializeAsync() => _cluster = await EtcdCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Calls_FirstEndpointKilledThenLeaderRestarted_EachSucceedWithinTheBoundFailingAtMostOnce()
    {
        using var etcd = new EtcdConnection(
            new EtcdOptions { Endpoints = Cluster.Endpoints, Prefix = Prefix, RequestTimeout = TimeSpan.FromSeconds(2) }, TimeProvider.System);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        await using var lease = await KeptLease.GrantAsync(etcd, TimeSpan.FromSeconds(10), TimeProvider.System, stop.Token);
        var (_, start) = await new GuardedTxn().Put(Prefix + "holder", "me", lease.Id).Put(Counter, "0").CommitAsync(etcd, stop.Token);
        var seen = Channel.CreateUnbounded<KeyChange>();
        var watching = WatchAsync(etcd, start + 1, seen.Writer, stop.Token);
        var calls = new Calls(output);
        var load = Enumerable.Range(0, 4).Select(i => LoadAsync(etcd, $"{Prefix}load/{i}", calls, stop.Token)).ToList();

        await ExerciseAsync(etcd, lease, seen.Reader, calls, "all members up", stop.Token);
        await Cluster.Members[0].KillAsync();
        await ExerciseAsync(etcd, lease, seen.Reader, calls, $"first endpoint {Cluster.Members[0].Endpoint} killed", stop.Token);
        var leader = await Cluster.LeaderAsync(TimeSpan.FromSeconds(10));
        calls.QuorumLost();
        await leader.KillAsync();
        await Cluster.RestartAsync(leader);
        calls.QuorumBack();
        await ExerciseAsync(etcd, lease, seen.Reader, calls, $"leader {leader.Endpoint} killed and restarted", stop.Token);

        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.False(lease.Lost.IsCancellationRequested, "the lease was lost");
        await watching;
    }

    /// <summary>Rounds of a read, a guarded write, its watch event and the lease's time to live; each must pass within the bound.</summary>
    private static async Task ExerciseAsync(EtcdConnection etcd, KeptLease lease, ChannelReader<KeyChange> seen, Calls calls, string phase, CancellationToken cancellationToken)
    {
        for (var round = 0; round < 8; round++)
        {
            var current = await calls.RunAsync($"{phase}: read {round}", () => etcd.GetAsync(Counter, cancellationToken), cancellationToken);
            var value = $"{phase} {round}";
            await calls.RunAsync($"{phase}: guarded write {round}", () => WriteAsync(etcd, value, cancellationToken), cancellationToken);
            await calls.RunAsync($"{phase}: watch event {round}", () => NextAsync(seen, value, cancellationToken), cancellationToken);
            var ttl = await calls.RunAsync($"{phase}: lease {round}", () => etcd.LeaseTimeToLiveAsync(lease.Id, cancellationToken), cancellationToken);
            Assert.True(ttl.TTL > 0, $"{phase}: the lease expired");
            Assert.False(lease.Lost.IsCancellationRequested, $"{phase}: the lease was lost");
            Assert.NotEmpty(current.Kvs);
        }
    }

    /// <summary>Other callers meanwhile, as a controller has them: reads and guarded writes of their own key, back to back.</summary>
    private static async Task LoadAsync(EtcdConnection etcd, string key, Calls calls, CancellationToken cancellationToken)
    {
        try
        {
            for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
            {
                var value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await calls.RunAsync($"load {key} {i}", async () =>
                {
                    var read = await etcd.GetAsync(key, cancellationToken);
                    if (read.Kvs.Count > 0 && read.Kvs[0].Value.ToStringUtf8() == value)
                    {
                        return true;
                    }

                    var (succeeded, _) = await new GuardedTxn().AsRead(key, read.Kvs.Count == 0 ? 0 : read.Kvs[0].ModRevision).Put(key, value).CommitAsync(etcd, cancellationToken);
                    return succeeded || await LandedAsync(etcd, key, value, cancellationToken);
                }, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the test is over
        }
    }

    /// <summary>A read-then-guarded-write, as a release step makes it; after a failure it reads again, and a write that landed counts.</summary>
    private static async Task<bool> WriteAsync(EtcdConnection etcd, string value, CancellationToken cancellationToken)
    {
        var read = await etcd.GetAsync(Counter, cancellationToken);
        if (read.Kvs[0].Value.ToStringUtf8() == value)
        {
            return true; // an earlier attempt whose answer was lost did land
        }

        var (succeeded, _) = await new GuardedTxn().Unchanged(Counter, read.Kvs[0].ModRevision).Put(Counter, value).CommitAsync(etcd, cancellationToken);
        return succeeded || await LandedAsync(etcd, Counter, value, cancellationToken);
    }

    /// <summary>
    /// After a conflict nobody else could cause: the adapter sent the write again after losing the first answer, and the
    /// first had landed. Reading again shows it; anything else is a lost update.
    /// </summary>
    private static async Task<bool> LandedAsync(EtcdConnection etcd, string key, string value, CancellationToken cancellationToken)
    {
        var read = await etcd.GetAsync(key, cancellationToken);
        return read.Kvs.Count > 0 && read.Kvs[0].Value.ToStringUtf8() == value
            ? true
            : throw new InvalidOperationException($"guarded write of \"{value}\" to {key} conflicted though nobody else writes it");
    }

    private static async Task<bool> NextAsync(ChannelReader<KeyChange> seen, string value, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Bound);
        while (true)
        {
            var change = await seen.ReadAsync(timeout.Token);
            if (change.Key == Counter && change.Value == value)
            {
                return true;
            }
        }
    }

    private static async Task WatchAsync(EtcdConnection etcd, long from, ChannelWriter<KeyChange> seen, CancellationToken cancellationToken)
    {
        var watcher = new PrefixWatcher(etcd, TimeProvider.System, EtcdFixture.Logger<PrefixWatcher>());
        try
        {
            await foreach (var update in watcher.WatchAsync(Prefix, from, cancellationToken))
            {
                foreach (var change in update is WatchChanges changes ? changes.Changes : ((WatchResync)update).State)
                {
                    await seen.WriteAsync(change, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the test is over
        }
    }

    /// <summary>
    /// Runs each call as a caller would: one retry after a failure; more, or a call slower than the bound, fails the test.
    /// A call that overlaps a time without a quorum may fail: nothing can succeed then.
    /// </summary>
    private sealed class Calls(ITestOutputHelper output)
    {
        private int _quorumLosses;
        private volatile bool _noQuorum;

        public void QuorumLost()
        {
            _noQuorum = true;
            Interlocked.Increment(ref _quorumLosses);
        }

        public void QuorumBack() => _noQuorum = false;

        public async Task<T> RunAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
        {
            var epoch = Volatile.Read(ref _quorumLosses);
            var exempt = _noQuorum;
            var took = Stopwatch.StartNew();
            Exception? failed = null;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var result = await call();
                    exempt |= _noQuorum || epoch != Volatile.Read(ref _quorumLosses);
                    if (exempt)
                    {
                        return result;
                    }

                    if (failed is not null || took.Elapsed > TimeSpan.FromMilliseconds(300))
                    {
                        output.WriteLine($"{what}: {took.ElapsedMilliseconds} ms{(failed is null ? "" : $" after a failure: {failed.Message}")}");
                    }

                    Assert.True(took.Elapsed <= Bound, $"{what} took {took.Elapsed}, more than {Bound}{(failed is null ? "" : $"; it failed first: {failed.Message}")}");
                    return result;
                }
                catch (Exception e) when (e is EtcdUnavailableException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    exempt |= _noQuorum || epoch != Volatile.Read(ref _quorumLosses);
                    if (!exempt && failed is not null)
                    {
                        throw new Xunit.Sdk.XunitException($"{what} failed twice in {took.Elapsed}; first: {failed.Message}; then: {e.Message}");
                    }

                    failed = e;
                    if (exempt)
                    {
                        await Task.Delay(100, cancellationToken);
                    }
                }
            }
        }
    }
}
