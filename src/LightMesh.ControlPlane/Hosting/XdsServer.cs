using System.Text.Json;
using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Reports;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Etcd;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LightMesh.ControlPlane.Hosting;

/// <summary>
/// A running control plane: ADS on <see cref="XdsServerOptions.Listen"/> (gRPC over cleartext HTTP/2) and
/// <c>/status</c>, <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c> on <see cref="XdsServerOptions.Admin"/>.
/// </summary>
public sealed class XdsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private XdsServer(WebApplication app, XdsServerOptions options)
    {
        _app = app;
        Options = options;
    }

    public XdsServerOptions Options { get; }

    /// <summary>The proxies connected to this control plane and their status.</summary>
    public ProxyRegistry Registry => _app.Services.GetRequiredService<ProxyRegistry>();

    /// <summary>Every proxy of the mesh, on any control plane, and the convergence wait.</summary>
    public MeshProxies Mesh => _app.Services.GetRequiredService<MeshProxies>();

    /// <summary>The mesh and every stored document as the server's watch holds them.</summary>
    public EtcdMeshSource Source => _app.Services.GetRequiredService<EtcdMeshSource>();

    public static Task<XdsServer> StartAsync(EtcdOptions etcd, XdsServerOptions options, Action<ILoggingBuilder>? logging, CancellationToken cancellationToken) =>
        StartAsync(etcd, options, logging, null, cancellationToken);

    /// <param name="services">Services composed before the control plane's own, which then keeps them (a <see cref="Publishing.MeshTranslation"/>, say).</param>
    public static async Task<XdsServer> StartAsync(EtcdOptions etcd, XdsServerOptions options, Action<ILoggingBuilder>? logging, Action<IServiceCollection>? services, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenEndpoint, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(options.AdminEndpoint, listen => listen.Protocols = HttpProtocols.Http1);
        });
        services?.Invoke(builder.Services);
        builder.Services.AddLightMeshControlPlane(etcd, o =>
        {
            o.Listen = options.Listen;
            o.Admin = options.Admin;
            o.DebounceQuiet = options.DebounceQuiet;
            o.AllowAnonymous = options.AllowAnonymous;
            o.Name = options.Name;
            o.ReportTtl = options.ReportTtl;
        });

        var app = builder.Build();
        var admin = $"*:{options.AdminEndpoint.Port}";
        app.MapGrpcService<AdsService>().RequireHost($"*:{options.ListenEndpoint.Port}");
        app.MapGet("/status", (ProxyRegistry registry) => Results.Json(StatusReport.From(registry), JsonSerializerOptions.Web)).RequireHost(admin);
        app.MapGet("/healthz", () => Results.Text("ok")).RequireHost(admin);
        app.MapGet("/readyz", (ProxyRegistry registry) => registry.NotServing() is { } why
            ? Results.Text(why, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text($"ready; serving snapshot revision {registry.Current.Revision}")).RequireHost(admin);
        app.MapLightMeshMetrics("/metrics").RequireHost(admin);
        await app.StartAsync(cancellationToken);
        return new XdsServer(app, options);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
