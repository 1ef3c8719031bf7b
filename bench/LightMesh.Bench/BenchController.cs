using LightMesh.Core.Security;
using LightMesh.Etcd;
using LightMesh.Host.Security;
using LightMesh.Processes;

namespace LightMesh.Bench;

/// <summary>
/// The controller a benchmark measures: a <see cref="LocalController"/> that leads the release engine, with an
/// operator's token made for the run, whose memory and CPU are read from /proc and its <c>/metrics</c>.
/// </summary>
internal sealed class BenchController(LocalController controller, string token) : IAsyncDisposable
{
    public Uri Api => controller.Api;

    /// <summary>The port its xDS control plane listens on, on 127.0.0.1.</summary>
    public int XdsPort => controller.XdsPort;

    public string Token => token;

    public int Id => controller.Process.Id;

    public int Warnings => controller.Warnings;

    public int Errors => controller.Errors;

    /// <summary>Prints the first warning and the first error the server logged, if any: the report gives only their counts.</summary>
    public void PrintFirstLogProblems()
    {
        foreach (var (what, line) in new[] { ("warning", controller.FirstWarning), ("error", controller.FirstError) })
        {
            if (line is not null)
            {
                Cli.Output.Printer.Error($"bench: the server's first {what}: {line}");
            }
        }
    }

    /// <summary>The last lines the server wrote, oldest first.</summary>
    public IReadOnlyList<string> Tail => controller.Process.Tail;

    /// <summary>
    /// Starts the controller with the flags in <paramref name="flags"/> and the variables in <paramref name="environment"/>
    /// (configuration keys such as <c>LightMesh__Hooks__Generic__Secret</c>), and waits until it leads the release engine.
    /// </summary>
    public static async Task<BenchController> StartAsync(
        EtcdOptions etcd, IReadOnlyList<string> flags, IReadOnlyDictionary<string, string> environment, string? logFile, CancellationToken cancellationToken)
    {
        var token = TokenHash.NewToken();
        var controller = await LocalController.StartAsync(
            new LocalControllerOptions
            {
                Etcd = etcd.Endpoints,
                Prefix = etcd.Prefix,
                Name = $"bench-{Environment.ProcessId}",
                Flags = flags,
                Environment = new Dictionary<string, string>(ControllerTokens.Environment(("bench", Roles.Operator, token)).Concat(environment)),
                Ready = ControllerReadiness.Leads,
                Token = token,
                LogFile = logFile,
                TimestampLog = true,
            },
            cancellationToken);
        return new BenchController(controller, token);
    }

    /// <summary>The controller as a process whose memory and metrics are read.</summary>
    public ScrapedProcess Scraped => new(Id, new Uri(Api, "metrics"));

    public ValueTask DisposeAsync() => controller.DisposeAsync();
}
