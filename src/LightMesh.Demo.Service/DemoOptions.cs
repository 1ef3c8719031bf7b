namespace LightMesh.Demo.Service;

/// <summary>The demo's own knobs, from the environment; where it registers and which version it is come from LIGHTMESH_*.</summary>
public sealed class DemoOptions
{
    public const string ErrorRateVariable = "ERROR_RATE";
    public const string ExtraLatencyVariable = "EXTRA_LATENCY_MS";
    public const string BindAddressVariable = "BIND_ADDRESS";

    /// <summary>The fraction of requests (0..1) that fail: HTTP 500, gRPC Unavailable. Env: <c>ERROR_RATE</c>.</summary>
    public double ErrorRate { get; set; }

    /// <summary>Added to every answer, failed or not. Env: <c>EXTRA_LATENCY_MS</c>.</summary>
    public TimeSpan ExtraLatency { get; set; }

    /// <summary>The IP the server listens on. Env: <c>BIND_ADDRESS</c>, default every interface.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Every problem with these options, each naming its environment variable.</summary>
    public List<string> Problems { get; } = [];
}
