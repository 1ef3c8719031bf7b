using System.Diagnostics;
using System.Globalization;
using LightMesh.Core;

namespace LightMesh.Bench;

/// <summary>
/// A measured server's JIT, from the runtime's counter on its <c>/metrics</c>: the seconds its threads have spent
/// compiling since it started. A controller keeps compiling its hot paths again, at the second tier and with the
/// profile the first gathered, on a thread of its own, for some seconds after they were first run: warm-up work that
/// otherwise lands in the measured run and competes with it for the cores.
/// </summary>
internal static class JitActivity
{
    public const string CompilationTime = "system_runtime_dotnet_jit_compilation_time";

    /// <summary>The JIT is quiet when it spent less than this share of one core over <see cref="Window"/>.</summary>
    private const double QuietShare = 0.01;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    /// <summary>The seconds the server's JIT has spent so far.</summary>
    public static async Task<double> SecondsAsync(ScrapedProcess server, HttpClient http, CancellationToken cancellationToken) =>
        await server.MetricAsync(http, CompilationTime, cancellationToken)
        ?? throw new LightMeshException($"the server's metrics ({server.Metrics}) have no {CompilationTime}");

    /// <summary>The report's value for the wait after the warm-up: how long it took, and whether it reached its limit.</summary>
    public static string Settled(TimeSpan? waited, bool quiet) =>
        waited is { } w ? $"{w.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)}{(quiet ? "" : " (not quiet: limit reached)")}" : "not waited for";

    /// <summary>
    /// After a benchmark's warm-up: waits as <see cref="SettleAsync"/> does, unless <paramref name="limit"/> is zero,
    /// and says on standard error what it found. Returns how long it waited (null when it did not) and whether the JIT
    /// went quiet.
    /// </summary>
    public static async Task<(TimeSpan? Waited, bool Quiet)> SettleAfterWarmUpAsync(ScrapedProcess server, HttpClient http, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (limit <= TimeSpan.Zero)
        {
            return (null, false);
        }

        var (waited, quiet) = await SettleAsync(server, http, limit, cancellationToken);
        Cli.Output.Printer.Error(quiet
            ? $"bench: the controller's JIT was quiet {waited.TotalSeconds:F1} s after the warm-up"
            : $"bench: the controller's JIT was still compiling {waited.TotalSeconds:F1} s after the warm-up (--jit-settle); measuring anyway");
        return (waited, quiet);
    }

    /// <summary>
    /// Waits until the server's JIT has been quiet for <see cref="Window"/>, or <paramref name="limit"/> has passed;
    /// returns how long it waited and whether the JIT went quiet.
    /// </summary>
    public static async Task<(TimeSpan Waited, bool Quiet)> SettleAsync(ScrapedProcess server, HttpClient http, TimeSpan limit, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var readings = new List<(TimeSpan At, double Seconds)>();
        while (true)
        {
            var now = (At: waited.Elapsed, Seconds: await SecondsAsync(server, http, cancellationToken));
            readings.Add(now);
            var windowAgo = readings.FindLastIndex(r => r.At <= now.At - Window);
            if (windowAgo >= 0 && now.Seconds - readings[windowAgo].Seconds < QuietShare * Window.TotalSeconds)
            {
                return (waited.Elapsed, true);
            }

            if (waited.Elapsed >= limit)
            {
                return (waited.Elapsed, false);
            }

            await Task.Delay(Every, cancellationToken);
        }
    }
}
