using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LightMesh.Testing;

/// <summary>A proxyless gRPC client (<c>client.js</c>, @grpc/grpc-js-xds) driven by JSON commands.</summary>
public sealed class XdsGrpcClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _bootstrap;

    private XdsGrpcClient(Process process, string bootstrap)
    {
        _process = process;
        _bootstrap = bootstrap;
    }

    /// <summary>Starts the client for <paramref name="target"/> (e.g. <c>xds:///checkout:8080</c>) with <paramref name="bootstrap"/> as its xDS bootstrap.</summary>
    public static XdsGrpcClient Start(string target, JsonNode bootstrap)
    {
        var file = Path.Combine(System.IO.Directory.CreateTempSubdirectory("lightmesh-xds-").FullName, "bootstrap.json");
        File.WriteAllText(file, bootstrap.ToJsonString());
        var info = NodePeers.Node("client.js", "--target", target);
        info.Environment["GRPC_XDS_BOOTSTRAP"] = file;
        return new XdsGrpcClient(Process.Start(info)!, file);
    }

    /// <summary>Sends one command and returns its one-line JSON reply.</summary>
    public async Task<JsonNode> CommandAsync(object command, TimeSpan? timeout = null)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        var line = await _process.StandardOutput.ReadLineAsync(cts.Token)
            ?? throw new InvalidOperationException($"client.js exited: {await _process.StandardError.ReadToEndAsync(cts.Token)}");
        return JsonNode.Parse(line)!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        File.Delete(_bootstrap);
    }
}
