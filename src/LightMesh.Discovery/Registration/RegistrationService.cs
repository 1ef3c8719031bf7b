using System.Net;
using LightMesh.Core.Mesh;
using LightMesh.Core;
using LightMesh.Discovery.Telemetry;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
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
internal sealed class RegistrationService(
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

    // Getting registered and staying registered. InstanceRegistration keeps the lease alive and wins the key back after a lapse, but its keep-alive loop ends for good on a transport error that is not an RpcException (an HttpIOException when etcd's connection is cut mid-write). So this also checks, every TTL, that etcd still holds the instance under the registration's lease; two misses in a row and it drops that registration and registers anew.

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);
    private const int MissesBeforeRegisteringAgain = 2;

    private async Task KeepRegisteredAsync(InstanceRegistry registry, Instance instance, TimeSpan ttl, CancellationToken cancellationToken)
    {
        while (await RegisterAsync(registry, instance, ttl, cancellationToken) is { } registration)
        {
            _registration = registration;
            state.Registered = true;
            if (!await WatchOverAsync(registration, cancellationToken))
            {
                return; // stopping: StoppingAsync revokes it
            }

            Log.RegistrationLost(_logger, instance.Service, instance.Id);
            Interlocked.CompareExchange(ref _registration, null, registration);
            state.Registered = false;
            await StopAndRevokeAsync(registration, cancellationToken);
        }
    }

    /// <summary>Registers, retrying with backoff while etcd is away or refuses; null once stopping.</summary>
    private async Task<InstanceRegistration?> RegisterAsync(InstanceRegistry registry, Instance instance, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                var outcome = await registry.RegisterAsync(instance, ttl, cancellationToken);
                if (outcome.Registration is { } registration)
                {
                    Log.Registered(_logger, instance.Service, instance.Id, instance.Version, instance.Address, instance.Port);
                    return registration;
                }

                Log.RegistrationRefused(_logger, instance.Service, instance.Id, outcome.Conflict!, delay);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null; // a lease granted just now, if any, lapses by itself within the TTL
            }
            catch (LightMeshException e)
            {
                // Expected while etcd is away: one line each time, no stack trace.
                Log.RegistrationFailed(_logger, instance.Service, instance.Id, e.Message, delay);
            }

            if (!await DelayAsync(delay, cancellationToken))
            {
                return null;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetry.Ticks));
        }
    }

    /// <summary>Returns false once stopping, true when etcd has not held the instance under its lease for two checks running.</summary>
    private async Task<bool> WatchOverAsync(InstanceRegistration registration, CancellationToken cancellationToken)
    {
        var key = _etcd!.Keys.Instance(registration.Instance.Service, registration.Instance.Id);
        var misses = 0;
        while (misses < MissesBeforeRegisteringAgain)
        {
            if (!await DelayAsync(registration.Ttl, cancellationToken))
            {
                return false;
            }

            try
            {
                var held = await _etcd.GetAsync(key, cancellationToken);
                misses = held.Count == 1 && held.Kvs[0].Lease == registration.Lease ? 0 : misses + 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (LightMeshException)
            {
                // etcd is away: nothing to judge until it is back.
            }
        }

        return true;
    }

    /// <summary>Stops keeping the registration alive and revokes its lease; returns what went wrong, if anything.</summary>
    private async Task<Exception?> StopAndRevokeAsync(InstanceRegistration registration, CancellationToken cancellationToken)
    {
        await using (registration)
        {
            try
            {
                await registration.StopAsync(revoke: true, cancellationToken);
                return null;
            }
            catch (Exception e) when (e is LightMeshException or OperationCanceledException)
            {
                return e; // the revoke itself failed: the lease lapses within its TTL
            }
            catch (Exception)
            {
                // Its keep-alive loop had ended on a transport error it does not catch, so StopAsync never got to the
                // revoke: do it here.
            }

            try
            {
                await _etcd!.LeaseRevokeAsync(registration.Lease, cancellationToken);
                return null;
            }
            catch (Exception e) when (e is LightMeshException or OperationCanceledException)
            {
                return e;
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
