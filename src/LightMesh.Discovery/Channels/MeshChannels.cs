using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace LightMesh.Discovery.Channels;

/// <summary>
/// One way to reach a dependency, chosen by one configuration value per dependency, so that moving a caller between
/// the mesh's three modes is a configuration change, not a code change:
/// <list type="bullet">
/// <item><c>proxy://127.0.0.1:15001/checkout:8080</c>: through the node's Envoy sidecar (its proxy port), which routes by
/// the service's authority, <c>checkout:8080</c>;</item>
/// <item><c>http://10.0.0.5:8080</c>: a fixed address, no mesh;</item>
/// <item><c>etcd:///checkout</c>: by name, every live instance from etcd, round robin (needs <c>AddLightMeshEtcdResolver</c>);</item>
/// <item><c>xds:///checkout:8080</c>: proxyless, routed by the control plane's rules (needs <c>AddLightMeshXds</c>).</item>
/// </list>
/// </summary>
public static class MeshChannels
{
    public const string ProxyScheme = "proxy";

    /// <summary>Opens a cleartext channel to <paramref name="target"/>; <paramref name="services"/> holds the resolvers the etcd and xds modes need.</summary>
    /// <exception cref="ArgumentException">The target is none of the four forms; the message says which forms there are.</exception>
    public static GrpcChannel ForTarget(string target, IServiceProvider? services = null)
    {
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException(Usage(target, "it is not a URI"), nameof(target));
        }

        var options = new GrpcChannelOptions { Credentials = ChannelCredentials.Insecure, ServiceProvider = services };
        switch (uri.Scheme)
        {
            case ProxyScheme:
                var authority = uri.AbsolutePath.Trim('/');
                if (authority.Length == 0 || !authority.Contains(':', StringComparison.Ordinal) || uri.Port <= 0)
                {
                    throw new ArgumentException(Usage(target, "a proxy target needs the proxy's HOST:PORT and the service's NAME:PORT"), nameof(target));
                }

                options.HttpHandler = new AuthorityHandler(authority) { InnerHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } };
                return GrpcChannel.ForAddress($"http://{uri.Authority}", options);
            case "http":
                return GrpcChannel.ForAddress(uri, options);
            case "etcd":
                options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
                return GrpcChannel.ForAddress(uri, options);
            case "xds":
                return GrpcChannel.ForAddress(uri, options);
            default:
                throw new ArgumentException(Usage(target, $"\"{uri.Scheme}\" is not a mode"), nameof(target));
        }
    }

    private static string Usage(string target, string problem) =>
        $"\"{target}\": {problem}; use proxy://PROXY-HOST:PORT/SERVICE:PORT, http://HOST:PORT, etcd:///SERVICE or xds:///SERVICE:PORT";

    /// <summary>Sends every call with the service's authority, by which the sidecar's proxy port picks the route.</summary>
    private sealed class AuthorityHandler(string authority) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = authority;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
