using LightMesh.Core;
using LightMesh.Core.Mesh;
using LightMesh.Discovery.Telemetry;
using LightMesh.Etcd.Registry;

namespace LightMesh.Discovery.Registration;

/// <summary>
/// Getting registered and staying registered. <see cref="InstanceRegistration"/> keeps the lease alive and wins the key
/// back after a lapse, but its keep-alive loop ends for good on a transport error that is not an RpcException (an
/// HttpIOException when etcd's connection is cut mid-write). So this also checks, every TTL, that etcd still holds the
/// instance under the registration's lease; two misses in a row and it drops that registration and registers anew.
/// </summary>
internal sealed partial class RegistrationService
{
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
