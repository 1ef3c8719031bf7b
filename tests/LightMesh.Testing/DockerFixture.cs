using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace LightMesh.Testing;

/// <summary>
/// The machine's real Docker Engine, and the test images built locally (no registry is reachable): a root file
/// system with a static busybox, imported with the engine's import API.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public const string Endpoint = "unix:///var/run/docker.sock";
    public const string WebImage = "lightmesh-test/web";
    public const string CrashImage = "lightmesh-test/crash";

    /// <summary>An Envoy stand-in: its <c>envoy</c> command runs until stopped, whatever it is given.</summary>
    public const string EnvoyImage = "lightmesh-test/envoy";

    /// <summary>v1 serves as <see cref="WebImage"/> does; v2 has no command, so the engine refuses to create a container from it.</summary>
    public const string NoCommandImage = "lightmesh-test/nocommand";

    /// <summary>Serves "SERVICE VERSION" over HTTP on $PORT with busybox httpd, until SIGTERM (<see cref="UntilTerm"/>).</summary>
    private const string Serve = "#!/bin/sh\nmkdir -p /tmp/www && echo \"$LIGHTMESH_SERVICE $LIGHTMESH_VERSION\" > /tmp/www/index.html\nhttpd -f -p 127.0.0.1:$PORT -h /tmp/www &\n" + UntilTerm;

    /// <summary>
    /// Waits for the command started last, and ends it and the script at SIGTERM. A container's first process is not
    /// ended by a signal it sets no handler for, so without this a stop waited out the whole grace period (10 s for a
    /// sidecar) every time, as it would for an application that ignores SIGTERM.
    /// </summary>
    private const string UntilTerm = "trap 'kill $!; exit 0' TERM\nwait $!\n";

    private const string Crash = "#!/bin/sh\necho \"crashing on purpose\"\nexit 3\n";

    private DockerClient? _client;

    public DockerClient Client => _client ?? throw new InvalidOperationException("Docker is not connected");

    public async Task InitializeAsync()
    {
        _client = new DockerClientConfiguration(new Uri(Endpoint), defaultTimeout: TimeSpan.FromSeconds(30)).CreateClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _client.System.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"no Docker Engine answers at {Endpoint}; ./test.sh starts one (dockerd --iptables=false --bridge=none)", e);
        }

        var busybox = Executables.Require("busybox", "busybox-static");
        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            await ImportAsync(busybox, WebImage, version, Serve);
        }

        await ImportAsync(busybox, CrashImage, "v1", Crash);
        await ImportAsync(busybox, EnvoyImage, "v1", "#!/bin/sh\nsleep 3600 &\n" + UntilTerm, script: "envoy");
        await ImportAsync(busybox, NoCommandImage, "v1", Serve);
        await ImportAsync(busybox, NoCommandImage, "v2", Serve, command: false);
    }

    /// <summary>Removes every container of a compose project, whatever state it is in.</summary>
    public async Task RemoveProjectAsync(string project)
    {
        var containers = await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"com.docker.compose.project={project}"] = true } },
        });
        foreach (var container in containers)
        {
            await Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    private async Task ImportAsync(string busybox, string repository, string tag, string serveScript, bool command = true, string script = "serve")
    {
        using var archive = new MemoryStream();
        await using (var tar = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin/", "tmp/" })
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, dir) { Mode = (UnixFileMode)0b111_111_111 });
            }

            await using (var binary = File.OpenRead(busybox))
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { DataStream = binary, Mode = (UnixFileMode)0b111_101_101 });
            }

            foreach (var applet in new[] { "sh", "httpd", "mkdir", "echo", "wget", "sleep", "cat" })
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox" });
            }

            using var text = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(serveScript));
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, $"bin/{script}") { DataStream = text, Mode = (UnixFileMode)0b111_101_101 });
        }

        archive.Position = 0;
        await Client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = repository, Tag = tag, Changes = command ? ["CMD [\"/bin/serve\"]"] : [] },
            archive,
            null,
            new Progress<JSONMessage>());
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }
}
