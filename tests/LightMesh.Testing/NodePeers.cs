using System.Diagnostics;
using System.Text.Json.Nodes;

namespace LightMesh.Testing;

/// <summary>The Node.js xDS peers in <c>tests/xds-interop</c>: a proxyless gRPC client, gRPC backends, a canonical decoder.</summary>
public static class NodePeers
{
    public static string Directory
    {
        get
        {
            var interop = Path.Combine(Repository.Root, "tests", "xds-interop");
            if (!System.IO.Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "grpc-js-xds")))
            {
                throw new InvalidOperationException($"the xDS interop peers are not installed; run `npm ci` in {interop} (./test.sh does)");
            }

            return interop;
        }
    }

    public static ProcessStartInfo Node(params string[] args)
    {
        var info = new ProcessStartInfo(Executables.Require("node", "nodejs"))
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Runs <c>decode.js</c> with <paramref name="stdin"/>; returns its exit code and parsed output.</summary>
    public static async Task<(int ExitCode, JsonNode? Output, string Errors)> DecodeAsync(string stdin, params string[] args)
    {
        using var process = Process.Start(Node(["decode.js", .. args]))!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var text = await output;
        return (process.ExitCode, text.Length == 0 ? null : JsonNode.Parse(text), await errors);
    }
}
