using System.Globalization;
using System.Text.Json;
using LightMesh.Core;
using LightMesh.Etcd;
using LightMesh.Etcd.Registry;
using LightMesh.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace LightMesh.Demo.Dev;

/// <summary>
/// <c>lightmesh dev run SERVICE VERSION</c>: one instance of the demo service (gRPC and HTTP on one port, metrics at
/// <c>/metrics</c>), registered in the dev environment's etcd as SERVICE at VERSION. It runs until <c>dev down</c>.
/// </summary>
public sealed class DevInstances(TextWriter output)
{
    private static readonly TimeSpan RegisterTimeout = TimeSpan.FromSeconds(60);
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// Starts the instance <paramref name="settings"/> describe in the environment in <paramref name="dir"/> and returns
    /// once it is registered and scraped; a <see cref="ConflictException"/> when it runs already.
    /// </summary>
    public async Task RunAsync(string dir, DevInstanceRequest settings, CancellationToken cancellationToken)
    {
        using var held = await DevLock.TakeAsync(dir, cancellationToken);
        var state = DevState.Require(dir);
        var name = $"{settings.Service} {settings.Version}";
        if (state.RunsAlready(name) is { } running)
        {
            throw new ConflictException(running);
        }

        var port = settings.Port ?? LoopbackPort.Free();
        if (!LoopbackPort.IsFree(port))
        {
            throw new InvalidInputException($"--port {port}: the port is in use on 127.0.0.1; choose another, or leave --port out for a free one");
        }

        var app = await PublishedAsync(dir, cancellationToken);
        var process = DetachedProcess.Start(name, SelfCommand.Host, [app], new Dictionary<string, string>
        {
            ["LIGHTMESH_SERVICE"] = settings.Service,
            ["LIGHTMESH_VERSION"] = settings.Version,
            ["LIGHTMESH_ADDRESS"] = "127.0.0.1",
            ["LIGHTMESH_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["LIGHTMESH_NODE"] = "dev",
            [EtcdEnvironment.Endpoints] = state.Etcd,
            ["BIND_ADDRESS"] = "127.0.0.1",
            ["ERROR_RATE"] = settings.ErrorRate.ToString(CultureInfo.InvariantCulture),
        }, Path.Combine(dir, $"{settings.Service}-{settings.Version}.log"));
        state.With(process).Write(dir);

        using var etcd = new EtcdConnection(new EtcdOptions { Endpoints = state.Etcd }, TimeProvider.System);
        var registry = new InstanceRegistry(etcd, TimeProvider.System, NullLogger<InstanceRegistry>.Instance);
        await DetachedProcess.WaitUntilReadyAsync(process, new Readiness(
            $"an instance of {settings.Service} at {settings.Version} on 127.0.0.1:{port} in etcd",
            async token => (await registry.ListAsync(settings.Service, token)).Any(i => i.Instance.Version == settings.Version && i.Instance.Port == port),
            RegisterTimeout), cancellationToken);

        // An analysis reads what Prometheus scraped, and Prometheus takes up newly discovered targets every few seconds:
        // the instance is ready to release once it is scraped.
        var scraped = $"up{{service=\"{settings.Service}\",version=\"{settings.Version}\",instance=\"127.0.0.1:{port}\"}}";
        await DetachedProcess.WaitUntilReadyAsync(process, new Readiness(
            $"Prometheus at {state.Prometheus} to scrape it ({scraped} == 1)",
            async token => await ScrapedAsync(state.Prometheus, scraped, token),
            RegisterTimeout), cancellationToken);

        var failing = settings.ErrorRate > 0 ? string.Create(CultureInfo.InvariantCulture, $", failing {settings.ErrorRate:0.##} of its calls") : "";
        output.WriteLine($"{name} runs on 127.0.0.1:{port}{failing}, registered in etcd and scraped by Prometheus (pid {process.Pid}, log {process.Log})");
    }

    private static async Task<bool> ScrapedAsync(string prometheus, string query, CancellationToken cancellationToken)
    {
        var answer = await Http.GetStringAsync(new Uri($"{prometheus}/api/v1/query?query={Uri.EscapeDataString(query)}"), cancellationToken);
        using var json = JsonDocument.Parse(answer);
        return json.RootElement.GetProperty("data").GetProperty("result") is { ValueKind: JsonValueKind.Array } result
            && result.EnumerateArray().Any(series => series.GetProperty("value")[1].GetString() == "1");
    }

    /// <summary>The demo service, published from this checkout into the dev directory the first time it is needed.</summary>
    private static async Task<string> PublishedAsync(string dir, CancellationToken cancellationToken)
    {
        var output = Path.Combine(dir, "demo-service");
        var app = Path.Combine(output, DemoPublisher.Assembly);
        if (File.Exists(app))
        {
            return app;
        }

        var root = RepositoryRoot.Find(Directory.GetCurrentDirectory());
        await Console.Error.WriteLineAsync($"lightmesh: building the demo service from {DemoPublisher.Project} into {output} (about a minute, once per dev environment)...");
        return await DemoPublisher.PublishAsync(SelfCommand.Host, root, output, TimeProvider.System, cancellationToken);
    }
}
