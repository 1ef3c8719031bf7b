using Grpc.Net.Client.Balancer;
using LightMesh.Core;
using LightMesh.Discovery.Balancing;
using LightMesh.Discovery.Xds;
using LightMesh.Discovery.Xds.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.Discovery.Resolution;

/// <summary>
/// The <c>xds:///SERVICE:PORT</c> scheme for <c>Grpc.Net.Client</c>: proxyless gRPC that follows the control plane
/// over ADS. All of a factory's channels share one ADS stream (opened with the first channel, from the bootstrap),
/// closed with the factory. Channels need <see cref="XdsLoadBalancerFactory"/> too; <c>AddLightMeshXds</c> registers both.
/// </summary>
public sealed class XdsResolverFactory : ResolverFactory, IDisposable
{
    public const string Scheme = "xds";

    private readonly XdsClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly Func<string, string?> _environment;
    private readonly Lock _lock = new();
    private XdsClient? _client;
    private bool _disposed;

    public XdsResolverFactory(XdsClientOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
        : this(options, time, loggers, Environment.GetEnvironmentVariable)
    {
    }

    internal XdsResolverFactory(XdsClientOptions options, TimeProvider? time, ILoggerFactory? loggers, Func<string, string?> environment)
    {
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"the xDS client options are not valid: {string.Join("; ", errors)}", nameof(options));
        }

        _options = options;
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _environment = environment;
    }

    public override string Name => Scheme;

    public override Resolver Create(ResolverOptions options)
    {
        var address = options.Address;
        var target = Uri.UnescapeDataString(address.AbsolutePath.TrimStart('/'));
        if (address.Host.Length > 0 || target.Length == 0)
        {
            throw new ArgumentException($"{address}: name the listener in the path, as in xds:///checkout:8080 (an authority, xds://NAME/..., is not supported)", nameof(options));
        }

        if (options.DisableServiceConfig)
        {
            throw new ArgumentException($"{address}: the channel's DisableResolverServiceConfig must be off: xds:/// hands its routing to the load balancer in the service config", nameof(options));
        }

        var factories = options.ChannelOptions.ServiceProvider?.GetService(typeof(IEnumerable<LoadBalancerFactory>)) as IEnumerable<LoadBalancerFactory>;
        if (factories?.Any(f => f is XdsLoadBalancerFactory) != true)
        {
            throw new InvalidOperationException($"{address}: the channel's ServiceProvider has no {nameof(XdsLoadBalancerFactory)}; services.AddLightMeshXds() registers it with the resolver");
        }

        var loggers = options.LoggerFactory ?? _loggers;
        return new XdsResolver(target, Client(), loggers.CreateLogger<XdsResolver>());
    }

    /// <summary>The shared ADS client, made from the bootstrap when the first channel needs it.</summary>
    private XdsClient Client()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_client is not null)
            {
                return _client;
            }

            var (json, source, problem) = _options.ReadBootstrap(_environment);
            if (json is null)
            {
                throw new LightMeshException($"xds:///: {problem}");
            }

            var (bootstrap, errors) = XdsBootstrap.Parse(json);
            if (bootstrap is null)
            {
                throw new LightMeshException($"xds:///: the bootstrap in {source} is not usable: {string.Join("; ", errors)}");
            }

            return _client = new XdsClient(bootstrap, _options, _time, _loggers);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _client?.Dispose();
        }
    }
}
