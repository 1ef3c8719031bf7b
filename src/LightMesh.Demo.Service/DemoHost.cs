using System.Net;
using LightMesh.Demo.Service.Echo;
using LightMesh.Demo.Service.Faults;
using LightMesh.Discovery.Hosting;
using LightMesh.Discovery.Registration;
using Microsoft.Extensions.Options;
using Prometheus;

namespace LightMesh.Demo.Service;

/// <summary>
/// The demo service: <c>lightmesh.demo.Echo/Hello</c> (gRPC) and <c>GET /</c>, <c>/healthz</c>, <c>/metrics</c> (HTTP), all
/// on one port (PORT), registered in the mesh through <c>AddLightMeshRegistration</c>.
/// </summary>
public static class DemoHost
{
    private const int DefaultPort = 8080;

    /// <summary>Runs until SIGTERM or Ctrl-C; 2 when the environment is invalid (each problem is printed).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        await using var app = Build(args);
        try
        {
            // Validated here, before the host starts, so that a bad setting prints one line each and not the host's stack trace.
            app.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (Exception e) when (ValidationFailures(e) is { Count: > 0 } failures)
        {
            foreach (var failure in failures)
            {
                await Console.Error.WriteLineAsync(failure);
            }

            return 2;
        }

        await app.StartAsync();
        await app.WaitForShutdownAsync();
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Kestrel warns at start that HTTP/2 is off on a cleartext Http1AndHttp2 endpoint; UseHttp1AndH2c turns it on.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        builder.Services.AddOptions<DemoOptions>()
            .Configure(options => DemoEnvironment.Apply(options, Environment.GetEnvironmentVariable))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DemoOptions>, DemoOptionsValidator>();
        builder.Services.AddLightMeshRegistration(options =>
        {
            options.Service ??= "demo";
            options.Version ??= "v1";
        });
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DemoOptions>>().Value);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Random.Shared);
        builder.Services.AddSingleton<FaultInjector>();
        builder.Services.AddSingleton<EchoResponder>();
        builder.Services.AddGrpc();

        // Where to listen, read as the options will be but without their validation (IOptions.Value would throw here):
        // unreadable values fall back, and RunAsync reports them before the server binds.
        var demo = new DemoOptions();
        DemoEnvironment.Apply(demo, Environment.GetEnvironmentVariable);
        var registration = new RegistrationOptions();
        RegistrationEnvironment.Apply(registration, Environment.GetEnvironmentVariable);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(
            IPAddress.TryParse(demo.BindAddress, out var ip) ? ip : IPAddress.Any,
            registration.Port ?? DefaultPort,
            listen => listen.UseHttp1AndH2c()));

        var app = builder.Build();
        app.UseHttpMetrics();
        app.MapGrpcService<EchoGrpcService>();
        app.MapEcho();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapMetrics("/metrics");
        return app;
    }

    /// <summary>Every failure of the options validated at start (several options classes fail as an AggregateException).</summary>
    private static List<string> ValidationFailures(Exception e) => e switch
    {
        OptionsValidationException validation => validation.Failures.ToList(),
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(ValidationFailures).ToList(),
        _ => [],
    };
}
