using System.Text.Json;
using LightMesh.ControlPlane.Ads;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Mesh;
using LightMesh.ControlPlane.Reports;
using LightMesh.ControlPlane.Telemetry;
using LightMesh.Core;
using LightMesh.Core.Mesh;
using LightMesh.Deployer;
using LightMesh.Deployer.Engine;
using LightMesh.Deployer.Revisions;
using LightMesh.Etcd;
using LightMesh.Etcd.Documents;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd.Releases;
using LightMesh.Etcd.Scheduling;
using LightMesh.Host.Api;
using LightMesh.Host.Configuration;
using LightMesh.Host.Hooks;
using LightMesh.Host.OperatorConsole;
using LightMesh.Host.Security;
using LightMesh.DurableExecution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LightMesh.Releases.Leadership;
using LightMesh.Releases.Notifications;
using LightMesh.Releases.Requests;
using LightMesh.Releases.Runs;
using LightMesh.Releases.Steps;

namespace LightMesh.Host;

/// <summary>
/// The controller process (<c>lightmesh server</c>): the HTTP API with <c>/healthz</c>, <c>/metrics</c>, <c>/status</c>
/// and the release endpoints on <see cref="ControllerOptions.Listen"/>; the xDS control plane on
/// <see cref="ControllerOptions.XdsListen"/>; and the release engine, which runs workflows while this controller leads.
/// </summary>
public sealed class ControllerServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ControllerServer(WebApplication app) => _app = app;

    public ReleaseEngine? Engine => _app.Services.GetService<ReleaseEngine>();

    public ReleaseService Releases => _app.Services.GetRequiredService<ReleaseService>();

    public ReleaseGroups Groups => _app.Services.GetRequiredService<ReleaseGroups>();

    /// <summary>Every proxy of the mesh, and the revision of the snapshot this controller publishes.</summary>
    public MeshProxies Mesh => _app.Services.GetRequiredService<MeshProxies>();

    /// <summary>The console's live updates: how many consoles follow the releases, and the revision they were last told of; null without a console (<c>--console false</c>).</summary>
    public ReleaseFeed? ConsoleFeed => _app.Services.GetService<ReleaseFeed>();

    public static Task<ControllerServer> StartAsync(EtcdOptions etcd, ControllerOptions options, Action<ILoggingBuilder>? logging, CancellationToken cancellationToken) =>
        StartAsync(etcd, options, logging, null, cancellationToken);

    /// <param name="services">
    /// Changes to the services after they are composed, for a host that runs the controller with other parts behind
    /// their interfaces (a node engine other than Docker's, say).
    /// </param>
    public static async Task<ControllerServer> StartAsync(EtcdOptions etcd, ControllerOptions options, Action<ILoggingBuilder>? logging, Action<IServiceCollection>? services, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        ControllerConfiguration.Load(builder.Configuration, options);

        // The settings each source sets (the file, the environment, Settings, the flags) over the values given, through
        // the table lightmesh server's flags are defined in; checked at start with the options below.
        var settings = ServerSettings.Bind(builder.Configuration, new ServerOptions { Etcd = etcd, Controller = options });
        (etcd, options) = (settings.Etcd, settings.Controller);

        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);

        // Data Protection warns that the console's keys are kept unencrypted: they are kept in etcd, as safe as its access
        // control keeps them (EtcdKeyRing), which is the deployment's choice, not news at every start.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenEndpoint, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(options.XdsEndpoint, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.NumberHandling = ReleaseJson.Options.NumberHandling;
            foreach (var converter in ReleaseJson.Options.Converters)
            {
                json.SerializerOptions.Converters.Add(converter);
            }
        });
        builder.Services.AddLightMeshControlPlane(etcd, o =>
        {
            o.Listen = options.XdsListen;
            o.Admin = $"{options.ListenEndpoint.Address}:{options.ListenEndpoint.Port}";
            o.DebounceQuiet = options.DebounceQuiet;
            o.AllowAnonymous = options.AllowAnonymousProxies;
            o.Name = options.Engine.Candidate;
            o.ReportTtl = options.Engine.LeaseTtl;
        });
        builder.Services.AddLightMeshAnalysis();
        builder.Services.AddLightMeshAuth(builder.Configuration, options.Engine.Candidate);
        builder.Services.AddLightMeshHooks(builder.Configuration);
        builder.Services.AddLightMeshServerSettings(builder.Configuration, settings);
        builder.Services.AddOpenApi();
        builder.Services.AddExceptionHandler<UnreachableServerHandler>();
        builder.Services.AddProblemDetails();
        AddReleases(builder.Services, etcd, options);
        if (options.Console)
        {
            builder.Services.AddLightMeshConsole();
        }

        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseAuthentication();
        app.UseAuthorization();
        if (options.Console)
        {
            app.UseAntiforgery();
        }

        var api = $"*:{options.ListenEndpoint.Port}";

        // Open to HTTP auth: proxies show a Node's proxy token (checked by the ADS service), load balancers and Prometheus
        // carry none. Everything under /api needs an API token (AddLightMeshAuth).
        app.MapGrpcService<AdsService>().RequireHost($"*:{options.XdsEndpoint.Port}").AllowAnonymous();
        app.MapGet("/healthz", () => Results.Text("ok")).RequireHost(api).AllowAnonymous();
        app.MapGet("/status", (ProxyRegistry registry) => Results.Json(StatusReport.From(registry), JsonSerializerOptions.Web)).RequireHost(api).RequireAuthorization(Roles.Viewer);
        app.MapLightMeshMetrics("/metrics").RequireHost(api).AllowAnonymous();
        app.MapOpenApi().RequireHost(api);
        app.MapControllerEndpoints(options.Engine.Candidate).RequireHost(api);
        app.MapDocumentEndpoints().RequireHost(api);
        app.MapDiscoveryEndpoints().RequireHost(api);
        app.MapReleaseEndpoints().RequireHost(api);
        app.MapGroupEndpoints().RequireHost(api);
        app.MapScheduleEndpoints().RequireHost(api);
        app.MapMeshEndpoints().RequireHost(api);
        app.MapHookEndpoints().RequireHost(api);
        if (options.Console)
        {
            app.MapOperatorConsole().RequireHost(api);
        }

        try
        {
            // Every option bound with ValidateOnStart, checked before the host starts (which would check them too, but
            // log a stack trace first): one clear error.
            app.Services.GetService<IStartupValidator>()?.Validate();
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e)
        {
            await app.DisposeAsync();

            // A configuration value that is wrong stops the start with every error, each naming its key.
            throw Invalid(e) is { } invalid ? new InvalidInputException(invalid) : e;
        }

        return new ControllerServer(app);
    }

    private static string? Invalid(Exception e) => e switch
    {
        OptionsValidationException invalid => string.Join("; ", invalid.Failures),
        AggregateException all when all.InnerExceptions.All(i => i is OptionsValidationException) =>
            string.Join("; ", all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures)),
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private static void AddReleases(IServiceCollection services, EtcdOptions etcd, ControllerOptions options)
    {
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<ReleaseStore>();
        services.AddSingleton<ReleaseGroupStore>();
        services.AddSingleton<ReleaseHistory>();
        services.AddSingleton<InstanceRegistry>();
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton(sp => new TrafficSteps(
            sp.GetRequiredService<DocumentStore>(), sp.GetRequiredService<EtcdMeshSource>(), sp.GetRequiredService<MeshProxies>(), options.Engine.ConvergenceTimeout, sp.GetRequiredService<TimeProvider>()));
        services.AddTransient(sp => new AnalysisSteps(sp.GetRequiredService<DocumentStore>(), sp.GetRequiredService<Analysis.AnalysisRunner>(), options.Engine.Prometheus, sp.GetRequiredService<ILogger<AnalysisSteps>>()));
        services.AddHttpClient<WebhookCaller>();
        // Transitions are told by the leader's outbox, from each release's event log; this only posts them.
        services.AddHttpClient(nameof(NotificationSender));
        services.AddSingleton(sp => new NotificationSender(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(NotificationSender)), sp.GetRequiredService<ILogger<NotificationSender>>(), sp.GetRequiredService<TimeProvider>()));
        var deployer = new DeployerOptions
        {
            EtcdEndpoints = etcd.Endpoints, Xds = options.SidecarXdsEndpoints,
            RegistrarPasswordFile = options.RegistrarPasswordFile,
        };
        services.AddSingleton<Func<MeshNode, INodeEngine>>(sp => node => DockerNodeEngine.Open(node, deployer, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new NodeDeployer(
            sp.GetRequiredService<DocumentStore>(), new NodeRevisionStore(sp.GetRequiredService<EtcdConnection>(), sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<Func<MeshNode, INodeEngine>>(), sp.GetRequiredService<TimeProvider>(), deployer));

        // Any controller can take an operator's action or start a release; the leader's workflows carry them out.
        services.AddSingleton<IReleaseWaker>(sp => new WorkflowEventWaker(
            new EtcdPersistenceProvider(sp.GetRequiredService<EtcdConnection>(), WorkflowFence.None, [typeof(ReleaseRunData)]), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ReleaseInputs(sp.GetRequiredService<ReleaseStore>(), sp.GetRequiredService<IReleaseWaker>(), sp.GetRequiredService<TimeProvider>(), null));
        services.AddSingleton(sp => new DocumentWrites(sp.GetRequiredService<DocumentStore>(), sp.GetRequiredService<ReleaseInputs>()));
        services.AddSingleton(sp => new ReleaseService(
            sp.GetRequiredService<DocumentStore>(), sp.GetRequiredService<ReleaseStore>(), sp.GetRequiredService<ReleaseGroupStore>(), sp.GetRequiredService<ReleaseHistory>(),
            sp.GetRequiredService<InstanceRegistry>(), sp.GetRequiredService<ReleaseInputs>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ReleaseGroups(
            sp.GetRequiredService<DocumentStore>(), sp.GetRequiredService<ReleaseGroupStore>(), sp.GetRequiredService<ReleaseStore>(), sp.GetRequiredService<ReleaseService>(),
            sp.GetRequiredService<ReleaseInputs>(), sp.GetRequiredService<TimeProvider>()));
        if (options.RunReleases)
        {
            services.AddLightMeshReleaseEngine();
        }
    }
}
