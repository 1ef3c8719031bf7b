using System.Text;
using dotnet_etcd;
using dotnet_etcd.interfaces;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using LightMesh.Core;

namespace LightMesh.Etcd;

/// <summary>
/// The one door to etcd: every unary call gets the configured deadline and the caller's token, and every
/// transport failure becomes an <see cref="EtcdUnavailableException"/> naming the endpoints. With a user and password,
/// every call carries etcd's auth token, got again once a minute and whenever etcd says it is no longer valid.
/// </summary>
public sealed class EtcdConnection : IDisposable
{
    /// <summary>How long an auth token is used before a new one is asked for (etcd's simple tokens last 5 minutes idle).</summary>
    private static readonly TimeSpan TokenRefresh = TimeSpan.FromMinutes(1);

    private readonly EtcdClient _client;
    private readonly IConnection _grpc;
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
        var tls = options.UsesTls ? EtcdCredentials.TlsHandler(options) : null;
        _client = new EtcdClient(
            string.Join(',', options.Endpoints.Split(',').Select(e => e.Trim())),
            configureChannelOptions: channel =>
            {
                channel.MaxReceiveMessageSize = options.MaxMessageSize;
                if (tls is not null)
                {
                    channel.Credentials = ChannelCredentials.SecureSsl;
                    channel.HttpHandler = tls;
                }
            },
            interceptors: [_credentials]);
        _grpc = _client.GetConnection();
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
        CallAsync(deadline => _grpc.KVClient.RangeAsync(
            new RangeRequest { Key = Bytes(prefix), RangeEnd = PrefixEnd(prefix), Revision = revision },
            deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <summary>
    /// Reads part of the keys under <paramref name="prefix"/>: from <paramref name="from"/> (a whole key, inclusive; the
    /// prefix itself for the start), at most <paramref name="limit"/>, at <paramref name="revision"/> (0 for the latest).
    /// The answer's <c>More</c> says whether keys remain after the last one.
    /// </summary>
    public Task<RangeResponse> RangePageAsync(string prefix, string from, long limit, long revision, bool keysOnly, CancellationToken cancellationToken) =>
        CallAsync(deadline => _grpc.KVClient.RangeAsync(
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

    /// <summary>How many keys are under <paramref name="prefix"/>, without reading them.</summary>
    public async Task<long> CountPrefixAsync(string prefix, CancellationToken cancellationToken) =>
        (await CallAsync(deadline => _grpc.KVClient.RangeAsync(
            new RangeRequest { Key = Bytes(prefix), RangeEnd = PrefixEnd(prefix), CountOnly = true },
            deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken)).Count;

    /// <summary>The smallest key after <paramref name="key"/>: where a read that continues past it starts.</summary>
    public static string After(string key) => key + '\0';

    public Task<RangeResponse> GetAsync(string key, CancellationToken cancellationToken) =>
        CallAsync(deadline => _grpc.KVClient.RangeAsync(new RangeRequest { Key = Bytes(key) }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken) =>
        CallAsync(deadline => _grpc.KVClient.TxnAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<CompactionResponse> CompactAsync(long revision, CancellationToken cancellationToken) =>
        CallAsync(deadline => _grpc.KVClient.CompactAsync(new CompactionRequest { Revision = revision, Physical = true }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<LeaseGrantResponse> LeaseGrantAsync(TimeSpan ttl, CancellationToken cancellationToken) =>
        CallAsync(deadline => _grpc.LeaseClient.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<LeaseRevokeResponse> LeaseRevokeAsync(long lease, CancellationToken cancellationToken) =>
        CallAsync(deadline => _grpc.LeaseClient.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    public Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(long lease, CancellationToken cancellationToken) =>
        CallAsync(deadline => _grpc.LeaseClient.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <summary>Opens a lease keep-alive stream; it lives until <paramref name="cancellationToken"/> ends it.</summary>
    public AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> OpenKeepAlive(CancellationToken cancellationToken) =>
        _grpc.LeaseClient.LeaseKeepAlive(cancellationToken: cancellationToken);

    /// <summary>Opens a watch stream; it lives until <paramref name="cancellationToken"/> ends it.</summary>
    public AsyncDuplexStreamingCall<WatchRequest, WatchResponse> OpenWatch(CancellationToken cancellationToken) =>
        _grpc.WatchClient.Watch(cancellationToken: cancellationToken);

    /// <summary>True for failures that mean "etcd is not there right now" rather than "etcd said no".</summary>
    public static bool IsUnavailable(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown;

    /// <summary>The raw auth API, for <c>lightmesh etcd init-auth</c>.</summary>
    public Auth.AuthClient AuthClient => _grpc.AuthClient;

    /// <summary>Calls the auth API with the configured deadline, as every other call is made.</summary>
    public Task<T> CallAuthAsync<T>(Func<Auth.AuthClient, DateTime, AsyncUnaryCall<T>> call, CancellationToken cancellationToken) =>
        CallAsync(deadline => call(_grpc.AuthClient, deadline).ResponseAsync, cancellationToken);

    private async Task<T> CallAsync<T>(Func<DateTime, Task<T>> call, CancellationToken cancellationToken)
    {
        if (_password is null)
        {
            return await CallOnceAsync(call, cancellationToken);
        }

        await AuthenticateAsync(force: false, cancellationToken);
        try
        {
            return await CallOnceAsync(call, cancellationToken);
        }
        catch (LightMeshException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.InvalidArgument } rpc
                                           && rpc.Status.Detail.Contains("invalid auth token", StringComparison.Ordinal))
        {
            // The token lapsed (etcd restarted, or it was idle too long): get another and try once more.
            await AuthenticateAsync(force: true, cancellationToken);
            return await CallOnceAsync(call, cancellationToken);
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
                var answer = await CallOnceAsync(deadline => _grpc.AuthClient.AuthenticateAsync(
                    new AuthenticateRequest { Name = Options.Username, Password = _password }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
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

    private async Task<T> CallOnceAsync<T>(Func<DateTime, Task<T>> call, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow().UtcDateTime + Options.RequestTimeout;
        try
        {
            return await call(deadline);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            throw new LightMeshException(
                $"etcd's answer is larger than the {Options.MaxMessageSize} bytes this client accepts (the etcd maximum message size setting): {e.Status.Detail}", e);
        }
        catch (RpcException e) when (IsUnavailable(e))
        {
            throw new EtcdUnavailableException($"etcd at {Options.Endpoints} could not be reached: {e.Status.Detail}", e);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
        {
            throw new EtcdPermissionDeniedException(Options.Username is { } user
                ? $"etcd refused the request: {e.Status.Detail}: user {user} may not do this; its role sets the keys it may read and write (see lightmesh etcd init-auth)"
                : $"etcd refused the request: {e.Status.Detail}: no etcd user was given, so etcd took the client certificate's name as the user, and it may not do this; give a user and its password (--etcd-user, --etcd-password-file, or LIGHTMESH_ETCD_USER and LIGHTMESH_ETCD_PASSWORD)", e);
        }
        catch (RpcException e) when (Options.Username is null && e.Status.Detail.Contains("user name is empty", StringComparison.Ordinal))
        {
            throw new LightMeshException($"etcd refused the request: {e.Status.Detail}: etcd at {Options.Endpoints} has authentication on; give a user and its password (--etcd-user, --etcd-password-file, or LIGHTMESH_ETCD_USER and LIGHTMESH_ETCD_PASSWORD)", e);
        }
        catch (RpcException e)
        {
            throw new LightMeshException($"etcd refused the request: {e.Status.Detail}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline fired while the HTTP/2 stream was still waiting for headers: grpc-dotnet (with retries) can let
            // that through as a TaskCanceledException instead of DeadlineExceeded. It is the same thing: no answer in time.
            throw new EtcdUnavailableException($"etcd at {Options.Endpoints} did not answer within {Options.RequestTimeout.TotalSeconds} s", e);
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _authenticating.Dispose();
    }
}
