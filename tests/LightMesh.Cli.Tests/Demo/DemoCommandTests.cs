using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using LightMesh.Testing;

namespace LightMesh.Cli.Tests.Demo;

/// <summary>
/// <c>lightmesh demo --fast</c> as a user runs it, from the repository root: everything real (its own etcd, Prometheus
/// and controller, the machine's Docker Engine, the demo image it builds). Its releases are then read from the API.
/// </summary>
[Collection(ReleaseBuildCollectionDefinition.Name)]
public sealed class DemoCommandTests
{
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromMinutes(12);

    [Fact]
    public async Task Demo_Fast_PromotesV2_RollsBackV3_AndCtrlCStopsEverything()
    {
        var run = Directory.CreateTempSubdirectory("lightmesh-demo-test-").FullName;
        var info = CliProcess.StartInfo("demo", "--fast", "--keep", "--run-dir", run);
        info.WorkingDirectory = CliProcess.RepositoryRoot;

        // Ctrl-C must reach it however this test was started: a shell's background job (`./.ci/run &`) ignores SIGINT,
        // and the demo, as any program, keeps a SIGINT its parent ignored.
        info.ArgumentList.Insert(0, info.FileName);
        info.ArgumentList.Insert(0, "--default-signal=INT");
        info.FileName = "env";
        using var demo = Process.Start(info) ?? throw new InvalidOperationException("the demo did not start");
        var output = new ConcurrentQueue<string>();
        var server = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        demo.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains("export LIGHTMESH_SERVER=", StringComparison.Ordinal))
            {
                server.TrySetResult(e.Data.Split("LIGHTMESH_SERVER=")[1].Split(' ')[0]);
            }
        };
        demo.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        string Said() => $"demo output:\n{string.Join("\n", output)}\n--- controller log tail:\n{Tail(Path.Combine(run, "controller.log"))}";

        try
        {
            var ended = await Task.WhenAny(server.Task, demo.WaitForExitAsync(), Task.Delay(DemoTimeout));
            Assert.True(ended == server.Task, $"the demo did not reach its summary (exited: {demo.HasExited})\n{Said()}");
            var api = await server.Task;

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(run, "token"))).Trim());
            using var releases = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{api}/api/v1/releases")));
            var phases = releases.RootElement.GetProperty("items").EnumerateArray().ToDictionary(r => r.GetProperty("version").GetString()!, r => r.GetProperty("phase").GetString());
            Assert.True(phases.GetValueOrDefault("v2") == "Succeeded" && phases.GetValueOrDefault("v3") == "RolledBack", $"phases: {string.Join(", ", phases)}\n{Said()}");
            Assert.Contains(output, l => l.Contains("v3 answered its first call at", StringComparison.Ordinal));

            // --keep prints a one-time sign-in link to the console, for the demo's operator.
            var link = output.Select(l => System.Text.RegularExpressions.Regex.Match(l, "sign-in link (http://\\S+/console/sign-in/link\\?code=\\S+) ")).FirstOrDefault(m => m.Success);
            Assert.True(link is not null, $"no sign-in link\n{Said()}");
            using (var browser = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                Assert.Contains("signs you in once as <strong>demo</strong> (operator)", await browser.GetStringAsync(link.Groups[1].Value), StringComparison.Ordinal);
            }

            // Ctrl-C: everything the demo started stops, and its containers go.
            using (var interrupt = Process.Start("kill", ["-INT", demo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await demo.WaitForExitAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the demo did not stop within 90 s of Ctrl-C; the processes it still has: {Children(demo.Id)}\n{Said()}");
            }

            Assert.True(demo.ExitCode == 0, $"exit {demo.ExitCode}\n{Said()}");
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"{api}/healthz")));
            using var docker = new DockerClientConfiguration(new Uri(DockerFixture.Endpoint)).CreateClient();
            var left = await docker.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["com.docker.compose.project=lightmesh-demo-host"] = true } },
            });
            Assert.Empty(left);
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// <c>lightmesh demo --fast --strategy blue-green</c>: each version a preview that only the calls carrying its header
    /// reach, approved by the demo, judged before the switch; <c>v2</c> switches and is promoted, <c>v3</c> fails its
    /// pre-promotion analysis and is rolled back; without <c>--keep</c> it stops everything by itself.
    /// </summary>
    [Fact]
    public async Task Demo_FastBlueGreen_PromotesV2AfterItsPreview_RollsBackV3BeforeTheSwitch()
    {
        var (exit, output, said) = await RunToEndAsync("--fast", "--strategy", "blue-green");

        Assert.True(exit == 0, $"exit {exit}\n{said}");
        Assert.Contains(output, l => l.Contains("v2   Succeeded", StringComparison.Ordinal));
        Assert.Contains(output, l => l.Contains("v3   RolledBack", StringComparison.Ordinal) && l.Contains("analysis failed: demo-error-rate", StringComparison.Ordinal));
        Assert.Contains(output, l => l.Contains("preview v2 by its header only", StringComparison.Ordinal));
        Assert.Contains(output, l => l.Contains("approval done    approved by lightmesh demo", StringComparison.Ordinal));
        Assert.Contains(output, l => l.Contains("post-promotion analysis passed", StringComparison.Ordinal));

        // v3 never took a call without the header: while it ran, every traffic line gives it at most the preview's share.
        var v3Shares = output.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"traffic .* v3 +(\d+)%")).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(v3Shares);
        Assert.All(v3Shares, share => Assert.InRange(share, 0, 30));
    }

    /// <summary>
    /// <c>lightmesh demo --fast --group</c>: payments and checkout released as the group of <c>examples/group-shop.yaml</c>.
    /// payments' v2 is promoted; checkout's v3 starts only then, fails its analysis, and the group returns payments to
    /// v1, so no member is left on a version the other was never released with.
    /// </summary>
    [Fact]
    public async Task Demo_FastGroup_PromotesPayments_CheckoutFails_AndTheGroupReturnsPaymentsToV1()
    {
        var (exit, output, said) = await RunToEndAsync("--fast", "--group");

        // Exit 0 is the demo's own check: the group rolled back for checkout and payments' revert succeeded.
        Assert.True(exit == 0, $"exit {exit}\n{said}");
        Assert.Contains(output, l => l.StartsWith("  group shop RolledBack", StringComparison.Ordinal) && l.Contains("checkout", StringComparison.Ordinal));
        Assert.Contains(output, l => l.StartsWith("    payments  v2   Succeeded", StringComparison.Ordinal));
        Assert.Contains(output, l => l.StartsWith("    payments  v1   Succeeded", StringComparison.Ordinal) && l.Contains("back from v2", StringComparison.Ordinal));
        Assert.Contains(output, l => l.StartsWith("    checkout  v3   RolledBack", StringComparison.Ordinal));

        // checkout's v3 started only once payments' v2 was promoted: the gate of the example.
        var promoted = output.FindIndex(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ *\d+:\d\d  payments  v2 .*promoted"));
        var checkoutStarted = output.FindIndex(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^ *\d+:\d\d  checkout  v3 +started"));
        Assert.True(promoted >= 0 && checkoutStarted > promoted, $"payments promoted at line {promoted}, checkout started at line {checkoutStarted}\n{said}");
    }

    [Theory]
    [InlineData("--group --strategy blue-green", "--group: the group's members are released with canary.yaml; --strategy blue-green cannot be combined with it")]
    [InlineData("--strategy rolling", "--strategy: \"rolling\" must be canary or blue-green")]
    [InlineData("--calls 0", "--calls: 0 must be between 1 and 500")]
    public async Task Demo_BadOptions_AreRefusedNamingTheOption_BeforeAnythingStarts(string options, string error)
    {
        var result = await CliProcess.RunAsync(["demo", .. options.Split(' ')]);

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains(error, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs <c>lightmesh demo ARGS --run-dir DIR</c> from the repository root until it ends by itself: its exit code, its
    /// output lines, and what it said with the controller's log tail, for a failure's message.
    /// </summary>
    private static async Task<(int Exit, List<string> Output, string Said)> RunToEndAsync(params string[] args)
    {
        var run = Directory.CreateTempSubdirectory("lightmesh-demo-test-").FullName;
        var info = CliProcess.StartInfo(["demo", .. args, "--run-dir", run]);
        info.WorkingDirectory = CliProcess.RepositoryRoot;
        using var demo = Process.Start(info) ?? throw new InvalidOperationException("the demo did not start");
        var output = new ConcurrentQueue<string>();
        demo.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        demo.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        string Said() => $"demo output:\n{string.Join("\n", output)}\n--- controller log tail:\n{Tail(Path.Combine(run, "controller.log"))}";

        try
        {
            using var timeout = new CancellationTokenSource(DemoTimeout);
            try
            {
                await demo.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the demo did not end within {DemoTimeout}\n{Said()}");
            }

            // The output is complete only once the process's streams are read to their end.
            demo.WaitForExit();
            return (demo.ExitCode, output.ToList(), Said());
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The processes <paramref name="pid"/> started that still run, as ps shows them, to tell what a stop waits for.</summary>
    private static string Children(int pid)
    {
        using var ps = Process.Start(new ProcessStartInfo("ps", ["-o", "pid,stat,args", "--ppid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true })!;
        var text = ps.StandardOutput.ReadToEnd();
        ps.WaitForExit();
        return text;
    }

    private static string Tail(string file) =>
        File.Exists(file) ? string.Join("\n", File.ReadLines(file).TakeLast(40)) : "(none)";
}
