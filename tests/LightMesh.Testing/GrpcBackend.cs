using System.Diagnostics;

namespace LightMesh.Testing;

/// <summary>A real gRPC backend (<c>backend.js</c>) that answers with its version.</summary>
public sealed class GrpcBackend : IAsyncDisposable
{
    private readonly Process _process;

    private GrpcBackend(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<GrpcBackend> StartAsync(string version)
    {
        var process = Process.Start(NodePeers.Node("backend.js", "--version", version, "--port", "0"))!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"backend.js did not start: {line} {await process.StandardError.ReadToEndAsync(timeout.Token)}");
        }

        return new GrpcBackend(process, int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
