using Grpc.Core;
using LightMesh.Core.Mesh;

namespace LightMesh.ControlPlane.Ads;

/// <summary>Why the control plane ended an ADS stream itself.</summary>
public enum StreamRefusal
{
    /// <summary>The stream showed no proxy token, and anonymous proxies are not allowed.</summary>
    NoToken,

    /// <summary>The token the stream showed is not one any Node names.</summary>
    UnknownToken,

    /// <summary>The Node the stream's token stood for was deleted or given another token.</summary>
    TokenRevoked,

    /// <summary>The client sent more requests than the stream may have waiting.</summary>
    TooManyRequests,
}

/// <summary>The metric label, the gRPC status and the words for each <see cref="StreamRefusal"/>.</summary>
public static class StreamRefusals
{
    public static string Label(this StreamRefusal refusal) => refusal switch
    {
        StreamRefusal.NoToken => "no_token",
        StreamRefusal.UnknownToken => "unknown_token",
        StreamRefusal.TokenRevoked => "token_revoked",
        StreamRefusal.TooManyRequests => "too_many_requests",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };

    /// <summary>The status the client gets: what was wrong and what to do about it.</summary>
    public static RpcException ToRpcException(this StreamRefusal refusal, string? node = null) => refusal switch
    {
        StreamRefusal.NoToken => new RpcException(new Status(StatusCode.Unauthenticated,
            $"no proxy token: send the token a Node's spec.proxyToken.sha256 names, as gRPC metadata {ProxyToken.MetadataKey} or in the node metadata field {ProxyToken.MetadataKey} (lightmesh xds bootstrap --token-file, lightmesh envoy bootstrap --token-file)")),
        StreamRefusal.UnknownToken => new RpcException(new Status(StatusCode.Unauthenticated,
            "the proxy token is not one any Node names (spec.proxyToken.sha256 is the SHA-256 of the token: printf %s \"$TOKEN\" | sha256sum)")),
        StreamRefusal.TokenRevoked => new RpcException(new Status(StatusCode.Unauthenticated,
            $"the proxy token of Node {node} was replaced, or the Node deleted; connect again with its new token")),
        StreamRefusal.TooManyRequests => new RpcException(new Status(StatusCode.ResourceExhausted,
            $"more than {ProxyRegistry.MaxWaitingRequests} requests were waiting on this stream: read the answers before sending more")),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };
}
