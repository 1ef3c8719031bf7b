using Docker.DotNet;

namespace LightMesh.Processes;

/// <summary>
/// The Docker Engine the demo deploys to: the machine's own when one answers, else a <c>dockerd</c> started here
/// (and stopped again on dispose; an engine that was already running is never stopped).
/// </summary>
public sealed class LocalDocker : IAsyncDisposable
{
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(3);

    private LocalDocker(Uri endpoint, LocalProcess? process)
    {
        Endpoint = endpoint;
        Process = process;
    }

    public Uri Endpoint { get; }

    /// <summary>The <c>dockerd</c> started here, or null when the engine was already running.</summary>
    public LocalProcess? Process { get; }

    /// <summary>Whether this started the engine, and so stops it on dispose.</summary>
    public bool StartedByUs => Process is not null;

    /// <summary>
    /// Uses the engine at <see cref="DefaultEndpoint"/> if it answers a ping; otherwise starts
    /// <c>dockerd --iptables=false --bridge=none</c>, logging to <c>dockerd.log</c> in <paramref name="runDirectory"/>,
    /// and waits until it answers.
    /// </summary>
    public static Task<LocalDocker> StartAsync(string runDirectory, CancellationToken cancellationToken) =>
        StartAsync(new Uri(DefaultEndpoint), [], runDirectory, cancellationToken);

    /// <summary>
    /// Uses the engine at <paramref name="endpoint"/> if it answers a ping; otherwise starts <c>dockerd</c> listening
    /// there, with <paramref name="daemonArguments"/> added (a second engine's <c>--data-root</c>, <c>--exec-root</c>, <c>--pidfile</c>).
    /// </summary>
    public static async Task<LocalDocker> StartAsync(Uri endpoint, IReadOnlyList<string> daemonArguments, string runDirectory, CancellationToken cancellationToken)
    {
        if (await PingAsync(endpoint, cancellationToken))
        {
            return new LocalDocker(endpoint, null);
        }

        var process = await LocalProcess.StartAsync(
            new LocalProcessOptions
            {
                Name = "dockerd",
                Executable = ExecutableSearch.Require(Prerequisites.Dockerd),

                // No firewall rules and no docker0 bridge: the demo's containers use the host's network, and the
                // machine's own network set-up is left alone.
                Arguments = ["--iptables=false", "--bridge=none", "--host", endpoint.AbsoluteUri, .. daemonArguments],
                LogFile = Path.Combine(runDirectory, "dockerd.log"),

                // dockerd stops its containers and its containerd on SIGTERM; that takes a while.
                StopTimeout = TimeSpan.FromSeconds(20),
            },
            new Readiness($"a ping at {endpoint} to answer", attempt => PingAsync(endpoint, attempt), ReadyTimeout),
            cancellationToken);
        return new LocalDocker(endpoint, process);
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }
    }

    /// <summary>Whether an engine answers at <paramref name="endpoint"/> within <see cref="PingTimeout"/>.</summary>
    public static async Task<bool> PingAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(PingTimeout);
        using var config = new DockerClientConfiguration(endpoint, defaultTimeout: PingTimeout);
        using var client = config.CreateClient();
        try
        {
            await client.System.PingAsync(attempt.Token);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException or TimeoutException
            or OperationCanceledException or DockerApiException or System.Net.Sockets.SocketException)
        {
            // Nothing listens there (yet), or something that is not an engine.
            return false;
        }
    }
}
