using System.Globalization;
using System.Net;

namespace LightMesh.Demo.Service;

/// <summary>Reads <see cref="DemoOptions"/> from the environment, keeping what cannot be read as problems naming the variable.</summary>
public static class DemoEnvironment
{
    public static void Apply(DemoOptions options, Func<string, string?> variable)
    {
        string? Read(string name) => variable(name) is { Length: > 0 } value ? value.Trim() : null;

        if (Read(DemoOptions.ErrorRateVariable) is { } rate)
        {
            if (double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1)
            {
                options.ErrorRate = parsed;
            }
            else
            {
                options.Problems.Add($"{DemoOptions.ErrorRateVariable}: \"{rate}\" must be a fraction from 0 to 1, e.g. 0.25");
            }
        }

        if (Read(DemoOptions.ExtraLatencyVariable) is { } latency)
        {
            if (int.TryParse(latency, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            {
                options.ExtraLatency = TimeSpan.FromMilliseconds(milliseconds);
            }
            else
            {
                options.Problems.Add($"{DemoOptions.ExtraLatencyVariable}: \"{latency}\" must be a whole number of milliseconds");
            }
        }

        if (Read(DemoOptions.BindAddressVariable) is { } bind)
        {
            if (IPAddress.TryParse(bind, out _))
            {
                options.BindAddress = bind;
            }
            else
            {
                options.Problems.Add($"{DemoOptions.BindAddressVariable}: \"{bind}\" must be an IP address");
            }
        }
    }
}
