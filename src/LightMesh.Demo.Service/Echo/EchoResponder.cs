using LightMesh.Demo.Service.Faults;
using LightMesh.Demo.Service.Telemetry;
using LightMesh.Discovery.Registration;
using Microsoft.Extensions.Options;

namespace LightMesh.Demo.Service.Echo;

/// <summary>The one place requests are answered, for the gRPC and the HTTP adapters alike: faults applied, metrics counted.</summary>
public sealed class EchoResponder(IOptions<RegistrationOptions> registration, RegistrationState state, FaultInjector faults, TimeProvider time)
{
    /// <summary>Answers a request to <paramref name="method"/>, counted under the protocol's code for success or failure.</summary>
    public async Task<EchoAnswer> AnswerAsync(string method, string okCode, string failedCode, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        await faults.DelayAsync(cancellationToken);
        var failed = faults.ShouldFail();
        var version = registration.Value.Version!;
        DemoMetrics.Observe(method, failed ? failedCode : okCode, version, time.GetElapsedTime(started));
        return new EchoAnswer(failed, registration.Value.Service!, version, state.Instance?.Id ?? "");
    }
}
