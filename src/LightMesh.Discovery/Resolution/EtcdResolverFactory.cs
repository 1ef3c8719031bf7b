using Grpc.Net.Client.Balancer;
using LightMesh.Core.Validation;
using LightMesh.Etcd;
using LightMesh.Etcd.Watching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.Discovery.Resolution;

/// <summary>
/// The <c>etcd:///SERVICE</c> scheme for <c>Grpc.Net.Client</c>: each channel gets a resolver that follows the live
/// instances of SERVICE in etcd. All of a factory's resolvers share one etcd connection, closed with the factory.
/// </summary>
public sealed class EtcdResolverFactory : ResolverFactory, IDisposable
{
    public const string Scheme = "etcd";

    private readonly EtcdConnection _etcd;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    public EtcdResolverFactory(EtcdOptions etcd, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _etcd = new EtcdConnection(etcd, _time);
    }

    public override string Name => Scheme;

    public override Resolver Create(ResolverOptions options)
    {
        var service = options.Address.AbsolutePath.Trim('/');
        if (Names.CheckDns1123Label(service) is { } problem)
        {
            throw new ArgumentException($"{options.Address}: the path must be the name of one Service, as in etcd:///checkout: {problem}", nameof(options));
        }

        var loggers = options.LoggerFactory ?? _loggers;
        return new EtcdResolver(
            service, _etcd, new PrefixWatcher(_etcd, _time, loggers.CreateLogger<PrefixWatcher>()), _time, loggers.CreateLogger<EtcdResolver>());
    }

    /// <summary>
    /// etcd as the deployer tells apps where it is and as whom to connect: <c>LIGHTMESH_ETCD</c>, <c>LIGHTMESH_PREFIX</c>
    /// and the registrar's credentials (<see cref="EtcdEnvironment"/>), else the defaults.
    /// </summary>
    public static EtcdOptions OptionsFromEnvironment(Func<string, string?> variable) => EtcdEnvironment.Apply(new()
    {
        Endpoints = variable(EtcdEnvironment.Endpoints) is { Length: > 0 } endpoints ? endpoints : EtcdOptions.DefaultEndpoints,
        Prefix = variable("LIGHTMESH_PREFIX") is { Length: > 0 } prefix ? prefix : EtcdOptions.DefaultPrefix,
    }, variable);

    public void Dispose() => _etcd.Dispose();
}
