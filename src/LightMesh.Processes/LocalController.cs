namespace LightMesh.Processes;

/// <summary>
/// A <c>lightmesh server</c> started as a child process (by the demo, a benchmark or a test), on ports picked at run
/// time; counts the warnings and errors it logs, and is killed (with anything it started) on dispose.
/// </summary>
public sealed class LocalController : IAsyncDisposable
{
    private int _warnings;
    private int _errors;
    private string? _firstWarning;
    private string? _firstError;

    private LocalController(Uri api, int xdsPort)
    {
        Api = api;
        XdsPort = xdsPort;
    }

    public Uri Api { get; }

    /// <summary>The port of its xDS (ADS) endpoint on 127.0.0.1.</summary>
    public int XdsPort { get; }

    public LocalProcess Process { get; private set; } = null!;

    /// <summary>Log lines at warning level so far.</summary>
    public int Warnings => Volatile.Read(ref _warnings);

    /// <summary>Log lines at error or critical level so far.</summary>
    public int Errors => Volatile.Read(ref _errors);

    /// <summary>The first line it logged at warning level, or null: what a count of them does not say.</summary>
    public string? FirstWarning => Volatile.Read(ref _firstWarning);

    /// <summary>The first line it logged at error or critical level, or null.</summary>
    public string? FirstError => Volatile.Read(ref _firstError);

    /// <summary>What it wrote last, for error messages.</summary>
    public string Output => Process.Output;

    /// <summary>Starts the controller <paramref name="options"/> describe and waits until it is ready as they say.</summary>
    public static async Task<LocalController> StartAsync(LocalControllerOptions options, CancellationToken cancellationToken)
    {
        var controller = new LocalController(options.Api ?? new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/"), options.XdsPort ?? LoopbackPort.Free());
        controller.Process = await LocalProcess.StartAsync(
            new LocalProcessOptions
            {
                Name = $"the controller {options.Name}",
                Executable = SelfCommand.Host,
                Arguments = SelfCommand.Arguments(controller.Arguments(options)),
                Environment = options.Environment,
                LogFile = options.LogFile,
                TimestampLog = options.TimestampLog,
                KeptLines = options.KeptLines,
                OnLine = controller.Count,
                StopTimeout = options.StopTimeout,
            },
            options.Ready == ControllerReadiness.Leads
                ? Readiness.ControllerLeads(controller.Api, options.Token ?? throw new ArgumentException("a token is needed to ask whether it leads", nameof(options)), options.ReadyTimeout)
                : Readiness.Answers(new Uri(controller.Api, "healthz"), options.ReadyTimeout),
            cancellationToken);
        return controller;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private IEnumerable<string> Arguments(LocalControllerOptions options)
    {
        string[] arguments =
        [
            "server", "--etcd", options.Etcd, "--name", options.Name,
            "--listen", Api.GetLeftPart(UriPartial.Authority), "--xds-listen", $"127.0.0.1:{XdsPort}",
        ];
        return [.. arguments, .. options.Prefix is { } prefix ? ["--prefix", prefix] : Array.Empty<string>(), .. options.Flags];
    }

    private void Count(string line)
    {
        if (line.StartsWith("warn:", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _warnings);
            Interlocked.CompareExchange(ref _firstWarning, line, null);
        }
        else if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _errors);
            Interlocked.CompareExchange(ref _firstError, line, null);
        }
    }
}
