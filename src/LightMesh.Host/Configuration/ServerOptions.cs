using LightMesh.Etcd;
using LightMesh.Releases;

namespace LightMesh.Host.Configuration;

/// <summary>What <c>lightmesh server</c> runs with once its flags, the environment and its configuration file are read.</summary>
public sealed record ServerOptions
{
    public EtcdOptions Etcd { get; init; } = new();

    public ControllerOptions Controller { get; init; } = new();

    internal ServerOptions WithController(Func<ControllerOptions, ControllerOptions> change) => this with { Controller = change(Controller) };

    internal ServerOptions WithEngine(Func<ReleaseEngineOptions, ReleaseEngineOptions> change) => WithController(c => c with { Engine = change(c.Engine) });

    internal ServerOptions WithEtcd(Func<EtcdOptions, EtcdOptions> change) => this with { Etcd = change(Etcd) };
}
