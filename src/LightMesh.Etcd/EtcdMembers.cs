using dotnet_etcd;
using dotnet_etcd.interfaces;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace LightMesh.Etcd;

/// <summary>
/// One channel per etcd endpoint, and the member calls go to: the same one until it fails a call, then the next in the
/// given order that has not failed lately (<see cref="EtcdMemberChoice"/>). Calls are not spread by gRPC's balancer:
/// the round-robin one dotnet-etcd sets up keeps picking a member whose connection has died (its subchannel stays Ready
/// until every stream of that connection is disposed, and a refused reconnect does not change that), and the retry
/// policy dotnet-etcd adds re-sends writes whose outcome is unknown, waits a second or more between tries, and stops
/// retrying altogether once a few calls have failed (retry throttling).
/// </summary>
internal sealed class EtcdMembers : IDisposable
{
    /// <summary>How long a member that failed a call is passed over while another has not failed.</summary>
    private static readonly TimeSpan Avoid = TimeSpan.FromSeconds(10);

    /// <summary>The shortest ping timeout SocketsHttpHandler takes.</summary>
    private static readonly TimeSpan MinPingTimeout = TimeSpan.FromSeconds(1);

    private readonly Member[] _members;
    private readonly long?[] _failedAt;
    private readonly TimeProvider _time;
    private readonly Lock _choosing = new();
    private int _current;

    public EtcdMembers(EtcdOptions options, Interceptor credentials, TimeProvider time)
    {
        _members = [.. options.EndpointList.Select((endpoint, index) => Open(index, endpoint, options, credentials))];
        _failedAt = new long?[_members.Length];
        _time = time;
    }

    /// <summary>The member calls go to now.</summary>
    public Member Current => _members[Volatile.Read(ref _current)];

    public int Count => _members.Length;

    /// <summary>
    /// <paramref name="member"/> failed a call: if calls still go to it, the next goes to another member. Many calls
    /// failing on the same member at once move calls on once, not once each.
    /// </summary>
    public void Failed(Member member)
    {
        lock (_choosing)
        {
            var now = _time.GetTimestamp();
            _failedAt[member.Index] = now;
            if (_current == member.Index)
            {
                var since = _failedAt.Select(at => at is { } t ? _time.GetElapsedTime(t, now) : (TimeSpan?)null).ToList();
                Volatile.Write(ref _current, EtcdMemberChoice.Next(member.Index, since, Avoid));
            }
        }
    }

    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Client.Dispose();
            member.Channel.Dispose();
        }
    }

    private static Member Open(int index, string endpoint, EtcdOptions options, Interceptor credentials)
    {
        var handler = options.UsesTls ? EtcdCredentials.TlsHandler(options) : new SocketsHttpHandler();

        // A member that is gone without a word (a dead host, a cut cable) is noticed by a ping it does not answer, also on
        // a connection that only carries a quiet watch; one that cannot be reached at all fails the call within the deadline.
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        handler.KeepAlivePingDelay = options.KeepAliveInterval;
        handler.KeepAlivePingTimeout = options.RequestTimeout < MinPingTimeout ? MinPingTimeout : options.RequestTimeout;
        handler.ConnectTimeout = options.RequestTimeout;
        handler.EnableMultipleHttp2Connections = true;
        var channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = options.MaxMessageSize,
            ThrowOperationCanceledOnCancellation = true,
        });
        var client = new EtcdClient(channel.Intercept(credentials, new EtcdRequireLeader()));
        return new Member(index, endpoint, channel, client, client.GetConnection());
    }

    /// <summary>One etcd member: its endpoint and the channel to it.</summary>
    internal sealed record Member(int Index, string Endpoint, GrpcChannel Channel, EtcdClient Client, IConnection Grpc);
}
