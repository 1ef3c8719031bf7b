using System.Net;
using LightMesh.Core.Mesh;
using LightMesh.Discovery.Telemetry;
using LightMesh.Etcd;
using LightMesh.Etcd.Registry;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.Discovery.Registration;

/// <summary>
/// Registers the app's instance once the server has bound its port (<see cref="IHostApplicationLifetime.ApplicationStarted"/>),
/// keeps it registered (see <c>RegistrationService.Supervision.cs</c>), and revokes the lease when the host starts
/// stopping, before any hosted service stops: the instance leaves the mesh while the server still serves, for
/// <see cref="RegistrationOptions.DrainDelay"/>. Keeping the lease alive is <see cref="InstanceRegistration"/>'s.
/// </summary>
internal sealed partial class RegistrationService(
    IOptions<RegistrationOptions> options,
    RegistrationState state,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedLifecycleService, IAsyncDisposable
{
    private const string FallbackAddress = "127.0.0.1";

    private readonly ILogger _logger = loggers.CreateLogger<RegistrationService>();
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenRegistration _onStarted;
    private EtcdConnection? _etcd;
    private InstanceRegistration? _registration;
    private volatile Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _onStarted = lifetime.ApplicationStarted.Register(OnStarted);
        return Task.CompletedTask;
    }

    /// <summary>Runs before every hosted service's <c>StopAsync</c>, so before the server stops accepting requests.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
        if (Interlocked.Exchange(ref _registration, null) is not { } registration)
        {
            return;
        }

        state.Registered = false;
        var instance = registration.Instance;
        if (await StopAndRevokeAsync(registration, cancellationToken) is { } failure)
        {
            Log.DeregistrationFailed(_logger, instance.Service, instance.Id, registration.Ttl, failure);
            return;
        }

        Log.Deregistered(_logger, instance.Service, instance.Id, options.Value.DrainDelay);
        try
        {
            await Task.Delay(options.Value.DrainDelay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout is shorter than the drain delay: stop now.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _onStarted.DisposeAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time))
        {
            await StoppingAsync(timeout.Token); // a host disposed without being stopped still deregisters
        }

        _stopping.Dispose();
        _etcd?.Dispose();
    }

    private void OnStarted()
    {
        var settings = options.Value;
        if (ToInstance(settings) is not { } instance)
        {
            Log.NoPort(_logger, settings.Service!);
            return;
        }

        if (settings.Address is null)
        {
            Log.AddressDefaulted(_logger, instance.Service, instance.Address);
        }

        state.Instance = instance;
        _etcd = new EtcdConnection(settings.EtcdOptions, time);
        var registry = new InstanceRegistry(_etcd, time, loggers.CreateLogger<InstanceRegistry>());
        _loop = Task.Run(() => KeepRegisteredAsync(registry, instance, settings.Ttl, _stopping.Token));
    }

    /// <summary>The instance to register: the options, with the address and port the server bound where they are unset.</summary>
    private Instance? ToInstance(RegistrationOptions settings)
    {
        var bound = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(BindingAddress.Parse)
            .FirstOrDefault();
        var port = settings.Port is > 0 ? settings.Port.Value : bound?.Port ?? 0;
        if (port <= 0)
        {
            return null;
        }

        var address = settings.Address ?? SpecificIp(bound?.Host) ?? FallbackAddress;
        return new Instance
        {
            Service = settings.Service!,
            Version = settings.Version!,
            Id = settings.Id ?? Instance.DefaultId(address, port),
            Address = address,
            Port = port,
            Node = settings.Node,
            Labels = settings.Labels.ToDictionary(StringComparer.Ordinal),
        };
    }

    /// <summary>The host the server bound, when it is one IP others can reach (not 0.0.0.0, [::] or a name).</summary>
    private static string? SpecificIp(string? host) =>
        IPAddress.TryParse(host?.Trim('[', ']'), out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any)
            ? ip.ToString()
            : null;
}
