using System.Text;
using dotnet_etcd.interfaces;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using LightMesh.Core;

namespace LightMesh.Etcd;

/// <summary>
/// The one door to etcd: every unary call gets the configured deadline and the caller's token, and every
/// transport failure becomes an <see cref="EtcdUnavailableException"/> naming the endpoints. Calls go to one member
/// until it fails one, then to another (see <see cref="EtcdMembers"/>); the failed call is made again there when that
/// is safe: always for a read, and for a write only when it certainly never reached etcd. With a user and password,
/// every call carries etcd's auth token, got again once a minute and whenever etcd says it is no longer valid.
/// </summary>
public sealed class EtcdConnection : IDisposable
{
    /// <summary>How long an auth token is used before a new one is asked for (etcd's simple tokens last 5 minutes idle).</summary>
    private static readonly TimeSpan TokenRefresh = TimeSpan.FromMinutes(1);

    /// <summary>The pauses between attempts of one call on members already tried for it: an election takes a second or two.</summary>
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastPause = TimeSpan.FromSeconds(1);

    private readonly EtcdMembers _members;
    private readonly TimeProvider _time;
    private readonly EtcdCredentials _credentials = new();
    private readonly string? _password;
    private readonly SemaphoreSlim _authenticating = new(1, 1);
    private long _tokenAt;

    public EtcdConnection(EtcdOptions options, TimeProvider time)
    {
        if (options.Check() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        Options = options;
        Keys = new KeyLayout(options.Prefix);
        _time = time;
        _password = EtcdCredentials.Password(options);
        _members = new EtcdMembers(options, _credentials, time);
    }

    public EtcdOptions Options { get; }
    public KeyLayout Keys { get; }

    public static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>The end of the key range holding every key that starts with <paramref name="prefix"/>.</summary>
    public static ByteString PrefixEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return ByteString.CopyFrom(0);
    }

    /// <summary>Reads every key under <paramref name="prefix"/>, at <paramref name="revision"/> (0 for the latest).</summary>
    public Task<RangeResponse> RangePrefixAsync(string prefix, long revision, CancellationToken cancellationToken) =>
        ReadAsync((grpc, deadline) => grpc.KVClient.RangeAsync(
            new RangeRequest { Key = Bytes(prefix), RangeEnd = PrefixEnd(prefix), Revision = revision },
            deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <summary>
    /// Reads part of the keys under <paramref name="prefix"/>: from <paramref name="from"/> (a whole key, inclusive; the
    /// prefix itself for the start), at most <paramref name="limit"/>, at <paramref name="revision"/> (0 for the latest).
    /// The answer's <c>More</c> says whether keys remain after the last one.
    /// </summary>
    public Task<RangeResponse> RangePageAsync(string prefix, string from, long limit, long revision, bool keysOnly, CancellationToken cancellationToken) =>
        ReadAsync((grpc, deadline) => grpc.KVClient.RangeAsync(
            new RangeRequest { Key = Bytes(from), RangeEnd = PrefixEnd(prefix), Limit = limit, Revision = revision, KeysOnly = keysOnly },
            deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <summary>Reads every key under each of <paramref name="prefixes"/>, all at one revision (the first read's).</summary>
    public async Task<RangeResponse> RangePrefixesAsync(IReadOnlyList<string> prefixes, CancellationToken cancellationToken)
    {
        var all = new RangeResponse();
        foreach (var prefix in prefixes)
        {
            var response = await RangePrefixAsync(prefix, all.Header?.Revision ?? 0, cancellationToken);
            all.Header ??= response.Header;
            all.Kvs.AddRange(response.Kvs);
        }

        all.Count = all.Kvs.Count;
        return all;
    }

    /// <summary>The most operations etcd takes in one transaction by default (its <c>--max-txn-ops</c>).</summary>
    public const int MaxOpsPerTxn = 128;

    /// <summary>
    /// Makes <paramref name="reads"/> in as few round trips as etcd allows: read-only transactions of at most
    /// <paramref name="perRequest"/> reads each, every one answered at one revision. The answers are in the order of the reads.
    /// </summary>
    public async Task<IReadOnlyList<RangeResponse>> RangeEachAsync(IReadOnlyList<RangeRequest> reads, int perRequest, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perRequest, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(perRequest, MaxOpsPerTxn);
        var answers = new List<RangeResponse>(reads.Count);
        foreach (var batch in reads.Chunk(perRequest))
        {
            var request = new TxnRequest();
            request.Success.AddRange(batch.Select(read => new RequestOp { RequestRange = read }));
            var response = await ReadAsync((grpc, deadline) => grpc.KVClient.TxnAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
            answers.AddRange(response.Responses.Select(r => r.ResponseRange));
        }

        return answers;
    }

    /// <summary>A read of the one key <paramref name="key"/>, for <see cref="RangeEachAsync"/>.</summary>
    public static RangeRequest KeyRead(string key) => new() { Key = Bytes(key) };

    /// <summary>How many keys are under <paramref name="prefix"/>, without reading them.</summary>
    public async Task<long> CountPrefixAsync(string prefix, CancellationToken cancellationToken) =>
        (await ReadAsync((grpc, deadline) => grpc.KVClient.RangeAsync(
            new RangeRequest { Key = Bytes(prefix), RangeEnd = PrefixEnd(prefix), CountOnly = true },
            deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken)).Count;

    /// <summary>The smallest key after <paramref name="key"/>: where a read that continues past it starts.</summary>
    public static string After(string key) => key + '\0';

    public Task<RangeResponse> GetAsync(string key, CancellationToken cancellationToken) =>
        ReadAsync((grpc, deadline) => grpc.KVClient.RangeAsync(new RangeRequest { Key = Bytes(key) }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <summary>
    /// Runs a transaction. One whose answer was lost is sent again, once, if its own guard keeps it from being applied
    /// twice (<see cref="TxnResend"/>): then a conflict may mean it was applied the first time, and the caller reads again.
    /// </summary>
    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken) =>
        CallAsync((grpc, deadline) => grpc.KVClient.TxnAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync,
            TxnResend.IsSafe(request) ? Resend.Once : Resend.Never, cancellationToken);

    /// <summary>
    /// Discards the history before <paramref name="revision"/>: the values keys had then, which reads at a revision and
    /// watches from one need. <paramref name="physical"/>: answer only once etcd has removed them from its database.
    /// </summary>
    public Task<CompactionResponse> CompactAsync(long revision, bool physical, CancellationToken cancellationToken) =>
        WriteAsync((grpc, deadline) => grpc.KVClient.CompactAsync(new CompactionRequest { Revision = revision, Physical = physical }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<LeaseGrantResponse> LeaseGrantAsync(TimeSpan ttl, CancellationToken cancellationToken) =>
        WriteAsync((grpc, deadline) => grpc.LeaseClient.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<LeaseRevokeResponse> LeaseRevokeAsync(long lease, CancellationToken cancellationToken) =>
        WriteAsync((grpc, deadline) => grpc.LeaseClient.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(long lease, CancellationToken cancellationToken) =>
        ReadAsync((grpc, deadline) => grpc.LeaseClient.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <summary>Opens a lease keep-alive stream to the current member; it lives until <paramref name="cancellationToken"/> ends it.</summary>
    public EtcdStreamCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> OpenKeepAlive(CancellationToken cancellationToken)
    {
        var member = _members.Current;
        return new(member.Grpc.LeaseClient.LeaseKeepAlive(cancellationToken: cancellationToken), () => _members.Failed(member));
    }

    /// <summary>Opens a watch stream to the current member; it lives until <paramref name="cancellationToken"/> ends it.</summary>
    public EtcdStreamCall<WatchRequest, WatchResponse> OpenWatch(CancellationToken cancellationToken)
    {
        var member = _members.Current;
        return new(member.Grpc.WatchClient.Watch(cancellationToken: cancellationToken), () => _members.Failed(member));
    }

    /// <summary>True for failures that mean "etcd is not there right now" rather than "etcd said no".</summary>
    public static bool IsUnavailable(RpcException e) => EtcdFailures.IsUnavailable(e);

    /// <summary>Calls the auth API with the configured deadline, as every other call is made; made again only if it never reached etcd, as it writes.</summary>
    public Task<T> CallAuthAsync<T>(Func<Auth.AuthClient, DateTime, AsyncUnaryCall<T>> call, CancellationToken cancellationToken) =>
        WriteAsync((grpc, deadline) => call(grpc.AuthClient, deadline).ResponseAsync, cancellationToken);

    /// <summary>A call that changes nothing: made again, on another member, after any failure of the member.</summary>
    private Task<T> ReadAsync<T>(Func<IConnection, DateTime, Task<T>> call, CancellationToken cancellationToken) =>
        CallAsync(call, Resend.Always, cancellationToken);

    /// <summary>A call that changes something: made again, on another member, only if it certainly never reached etcd.</summary>
    private Task<T> WriteAsync<T>(Func<IConnection, DateTime, Task<T>> call, CancellationToken cancellationToken) =>
        CallAsync(call, Resend.Never, cancellationToken);

    private async Task<T> CallAsync<T>(Func<IConnection, DateTime, Task<T>> call, Resend resend, CancellationToken cancellationToken)
    {
        if (_password is null)
        {
            return await CallOnceAsync(call, resend, cancellationToken);
        }

        await AuthenticateAsync(force: false, cancellationToken);
        try
        {
            return await CallOnceAsync(call, resend, cancellationToken);
        }
        catch (LightMeshException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.InvalidArgument } rpc
                                           && rpc.Status.Detail.Contains("invalid auth token", StringComparison.Ordinal))
        {
            // The token lapsed (etcd restarted, or it was idle too long): get another and try once more.
            await AuthenticateAsync(force: true, cancellationToken);
            return await CallOnceAsync(call, resend, cancellationToken);
        }
    }

    /// <summary>Gets an auth token for the user, unless a fresh one is held (and <paramref name="force"/> is false).</summary>
    private async Task AuthenticateAsync(bool force, CancellationToken cancellationToken)
    {
        if (!force && _credentials.Token is not null && _time.GetElapsedTime(Interlocked.Read(ref _tokenAt)) < TokenRefresh)
        {
            return;
        }

        await _authenticating.WaitAsync(cancellationToken);
        try
        {
            if (!force && _credentials.Token is not null && _time.GetElapsedTime(Interlocked.Read(ref _tokenAt)) < TokenRefresh)
            {
                return;
            }

            try
            {
                // Authenticating again only hands out another token: safe to retry on another member.
                var answer = await CallOnceAsync((grpc, deadline) => grpc.AuthClient.AuthenticateAsync(
                    new AuthenticateRequest { Name = Options.Username, Password = _password }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, Resend.Always, cancellationToken);
                _credentials.Token = answer.Token;
                Interlocked.Exchange(ref _tokenAt, _time.GetTimestamp());
            }
            catch (LightMeshException e) when (e is not EtcdUnavailableException && e.InnerException is RpcException rpc)
            {
                throw new LightMeshException($"etcd at {Options.Endpoints} refused user {Options.Username}: {rpc.Status.Detail}; check the user and its password (lightmesh etcd init-auth wrote them)", e);
            }
        }
        finally
        {
            _authenticating.Release();
        }
    }

    /// <summary>
    /// Makes the call on the current member; if that member fails it, calls move on to another member, and the call is
    /// made again there when <paramref name="resend"/> allows it, or when it certainly never reached etcd (no connection
    /// could be made, or the member had no leader). A write whose outcome is unknown and that is not safe to send again is
    /// left to the caller, who reads again and lets its guard decide. The first failure is always followed by one more
    /// attempt (when it is safe); later ones only within one <see cref="EtcdOptions.RequestTimeout"/> of the first. A
    /// member not yet tried for this call is tried at once; after that, attempts are spaced out (the cluster is electing
    /// a leader, or every member is away). With a single endpoint a failure is reported at once, as before.
    /// </summary>
    private async Task<T> CallOnceAsync<T>(Func<IConnection, DateTime, Task<T>> call, Resend resend, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var tried = new bool[_members.Count];
        var pause = FirstPause;
        for (var attempt = 1; ; attempt++)
        {
            var member = _members.Current;
            tried[member.Index] = true;
            try
            {
                return await call(member.Grpc, _time.GetUtcNow().UtcDateTime + Options.RequestTimeout);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException && EtcdFailures.MemberFailed(e, cancellationToken.IsCancellationRequested))
            {
                _members.Failed(member);
                var notSent = EtcdFailures.WasNotSent(e);
                var safe = notSent || resend != Resend.Never;
                if (_members.Count == 1 || !safe || attempt > 1 && _time.GetElapsedTime(started) >= Options.RequestTimeout)
                {
                    throw Unavailable(e, member, ambiguous: resend != Resend.Always && !notSent);
                }

                if (resend == Resend.Once && !notSent)
                {
                    resend = Resend.Never; // sent again once: a second lost answer goes to the caller
                }

                if (tried[_members.Current.Index])
                {
                    await Task.Delay(pause, _time, cancellationToken);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LastPause.Ticks));
                }
            }
            catch (RpcException e)
            {
                throw Refused(e, cancellationToken);
            }
        }
    }

    private EtcdUnavailableException Unavailable(Exception e, EtcdMembers.Member member, bool ambiguous)
    {
        var why = e is RpcException rpc
            ? $"could not be reached: {rpc.Status.Detail}"
            : $"did not answer within {Options.RequestTimeout.TotalSeconds} s";

        // The deadline can fire while the HTTP/2 stream is still waiting for headers: grpc-dotnet can let that through as a
        // TaskCanceledException instead of DeadlineExceeded. It is the same thing: no answer in time.
        return new EtcdUnavailableException(
            $"etcd at {Options.Endpoints} {why} (last tried {member.Endpoint}){(ambiguous ? "; the write may or may not have been made: read again before deciding" : "")}", e);
    }

    private Exception Refused(RpcException e, CancellationToken cancellationToken)
    {
        if (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException(cancellationToken);
        }

        if (e.StatusCode == StatusCode.ResourceExhausted)
        {
            return new LightMeshException(
                $"etcd's answer is larger than the {Options.MaxMessageSize} bytes this client accepts (the etcd maximum message size setting): {e.Status.Detail}", e);
        }

        if (e.StatusCode == StatusCode.PermissionDenied)
        {
            return new EtcdPermissionDeniedException(Options.Username is { } user
                ? $"etcd refused the request: {e.Status.Detail}: user {user} may not do this; its role sets the keys it may read and write (see lightmesh etcd init-auth)"
                : $"etcd refused the request: {e.Status.Detail}: no etcd user was given, so etcd took the client certificate's name as the user, and it may not do this; give a user and its password (--etcd-user, --etcd-password-file, or LIGHTMESH_ETCD_USER and LIGHTMESH_ETCD_PASSWORD)", e);
        }

        if (Options.Username is null && e.Status.Detail.Contains("user name is empty", StringComparison.Ordinal))
        {
            return new LightMeshException($"etcd refused the request: {e.Status.Detail}: etcd at {Options.Endpoints} has authentication on; give a user and its password (--etcd-user, --etcd-password-file, or LIGHTMESH_ETCD_USER and LIGHTMESH_ETCD_PASSWORD)", e);
        }

        return new LightMeshException($"etcd refused the request: {e.Status.Detail}", e);
    }

    public void Dispose()
    {
        _members.Dispose();
        _authenticating.Dispose();
    }
}
