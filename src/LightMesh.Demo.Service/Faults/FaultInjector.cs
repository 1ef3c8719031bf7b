namespace LightMesh.Demo.Service.Faults;

/// <summary>Makes a version bad on purpose: fails a fraction of requests and slows every one down, as configured.</summary>
public sealed class FaultInjector(DemoOptions options, Random random, TimeProvider time)
{
    /// <summary>Waits for the configured extra latency.</summary>
    public Task DelayAsync(CancellationToken cancellationToken) =>
        options.ExtraLatency > TimeSpan.Zero ? Task.Delay(options.ExtraLatency, time, cancellationToken) : Task.CompletedTask;

    /// <summary>True for the configured fraction of calls.</summary>
    public bool ShouldFail() => options.ErrorRate > 0 && random.NextDouble() < options.ErrorRate;
}
