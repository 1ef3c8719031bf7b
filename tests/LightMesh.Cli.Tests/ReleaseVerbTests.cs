using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Processes;
using LightMesh.Etcd;
using LightMesh.Etcd.Registry;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>
/// The <c>release</c> verbs as processes against a real controller process and etcd. Each test releases its own service
/// (no deploy section: the test registers a live v1 and v2 instance) with a workflow that waits at an untimed pause.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed partial class ReleaseVerbTests(EtcdFixture etcd, ControllerProcessFixture controller) : IClassFixture<ControllerProcessFixture>, IAsyncLifetime
{
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(30);

    private readonly List<InstanceRegistration> _instances = [];
    private readonly string _home = Directory.CreateTempSubdirectory("lightmesh-home-").FullName;
    private EtcdConnection? _etcd;

    [Fact]
    public async Task Proxies_ShowsEveryControllerAndItsProxies_UnknownOnceItIsGone_AndNeedsAToken()
    {
        var table = await RunAsync(["proxies", "--server", controller.Url, "--token", controller.Token]);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches("^snapshot revision \\d+, 0 proxies", table.Stdout);

        var json = await RunAsync(["proxies", "--server", controller.Url, "--token", controller.Token, "-o", "json"]);
        Assert.Empty(JsonNode.Parse(json.Stdout)!["proxies"]!.AsArray());

        var refused = await RunAsync(["proxies", "--server", controller.Url, "--token", "not-a-token"]);
        Assert.True(refused.ExitCode == 7, refused.ToString());

        // Another controller's report of its proxy: shown with that controller, and as unknown once its lease is gone.
        using var connection = etcd.Connect(controller.Prefix);
        var key = connection.Keys.ControlPlane("elsewhere");
        var lease = (await connection.LeaseGrantAsync(TimeSpan.FromSeconds(30), default)).ID;
        var report = new ControlPlane.Reports.ControllerReport(
            "elsewhere", "127.0.0.1:1", 7, 7, DateTimeOffset.UtcNow, [new ControlPlane.Reports.ReportedProxy("proxy-elsewhere", "ads-3", "test", 7, ["checkout"], Nacks: [new("Route", "6", "bad regex")])]);
        Assert.True((await new GuardedTxn().Absent(key).Put(key, report.ToJson(), lease).CommitAsync(connection, default)).Succeeded);
        var shown = await Poll.UntilAsync(
            () => RunAsync(["proxies", "--server", controller.Url, "--token", controller.Token]), r => r.Stdout.Contains("proxy-elsewhere", StringComparison.Ordinal), PhaseTimeout, "the other controller's proxy");
        Assert.Matches("^snapshot revision \\d+, 1 proxy on 2 controllers", shown.Stdout);
        Assert.Matches("elsewhere +proxy-elsewhere +ads-3 +7 +checkout +Route 6: bad regex", shown.Stdout);

        await connection.LeaseRevokeAsync(lease, default);
        var gone = await Poll.UntilAsync(
            () => RunAsync(["proxies", "--server", controller.Url, "--token", controller.Token]), r => r.Stdout.Contains("gone: controller elsewhere", StringComparison.Ordinal), PhaseTimeout, "the other controller to go");
        Assert.Contains("unknown (had 7)", gone.Stdout, StringComparison.Ordinal);
        var goneJson = JsonNode.Parse((await RunAsync(["proxies", "--server", controller.Url, "--token", controller.Token, "-o", "json"])).Stdout)!;
        Assert.Equal("Gone", (string?)goneJson["controllers"]!.AsArray().Single(c => (string?)c!["name"] == "elsewhere")!["state"]);
        Assert.True((bool)goneJson["proxies"]![0]!["unknown"]!);
    }

    [Fact]
    public async Task Start_UnknownService_ExitsFourNamingTheService()
    {
        var result = await Release("start", "nosuch", "v2", "--workflow", "canary");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Matches("(?m)^error: .*\"nosuch\"", result.Stderr);
    }

    [Fact]
    public async Task Start_KnownService_PrintsTheIdAndStatusShowsIt()
    {
        await ServiceAsync("alpha");
        await CheckedWorkflowAsync("alpha");

        var started = await Release("start", "alpha", "v2", "--workflow", "alpha-checked", "--actor", "ci", "--arg", "max-error-rate=0.1");

        Assert.True(started.ExitCode == 0, started.ToString());
        var id = IdOf(started);
        var status = await StatusAsync(id);
        Assert.Equal("alpha", status["service"]!.GetValue<string>());
        Assert.Equal("v2", status["version"]!.GetValue<string>());
        Assert.Equal("v1", status["stableVersion"]!.GetValue<string>());
        Assert.Equal("alpha-checked", status["workflow"]!.GetValue<string>());
        Assert.Equal("ci", status["startedBy"]!.GetValue<string>());
        Assert.Equal("0.1", status["args"]!["max-error-rate"]!.GetValue<string>());
        Assert.Contains(id, (await Release("list")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_ReleaseAtUntimedPause_SucceedsWithStableTakingAll()
    {
        await ServiceAsync("beta");
        var id = IdOf(await Release("start", "beta", "v2", "--workflow", "beta-hold"));

        var paused = await WaitForPhaseAsync(id, "Paused");
        Assert.Equal(3, paused["step"]!.GetValue<int>() + 1);
        Assert.Equal(20, paused["weights"]!["canary"]!.GetValue<int>());
        var resumed = await Release("resume", id, "--actor", "alice");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        var done = await WaitForPhaseAsync(id, "Succeeded");
        Assert.Equal(100, done["weights"]!["stable"]!.GetValue<int>());
        Assert.Equal(0, done["weights"]!["canary"]!.GetValue<int>());
        var actions = done["events"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["started", "paused", "resumed", "succeeded"], actions.Where(a => a is "started" or "paused" or "resumed" or "succeeded"));
        Assert.Contains(done["events"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "resumed" && e["actor"]!.GetValue<string>() == "alice");
        var table = await Release("status", id);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches($@"{Regex.Escape(id)}\s+beta\s+v1 -> v2\s+Succeeded\s+5/5 \(promote\)\s+100/0", table.Stdout);
        Assert.Contains("Events:", table.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"resumed\s+alice", table.Stdout);
    }

    [Fact]
    public async Task Resume_EndedRelease_ExitsThree()
    {
        await ServiceAsync("gamma");
        var id = IdOf(await Release("start", "gamma", "v2", "--workflow", "gamma-hold"));
        await WaitForPhaseAsync(id, "Paused");
        Assert.Equal(0, (await Release("abort", id)).ExitCode);
        await WaitForPhaseAsync(id, "Aborted");

        var result = await Release("resume", id);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.StartsWith("error: resume:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WhileOneIsActive_ExitsThree()
    {
        await ServiceAsync("delta");
        var first = IdOf(await Release("start", "delta", "v2", "--workflow", "delta-hold"));

        var second = await Release("start", "delta", "v2", "--workflow", "delta-hold");

        Assert.True(second.ExitCode == 3, second.ToString());
        Assert.Matches($"(?m)^error: .*{Regex.Escape(first)}", second.Stderr);
    }

    [Fact]
    public async Task Abort_PausedRelease_EndsAbortedAndWatchExitsOne()
    {
        await ServiceAsync("epsilon");
        var id = IdOf(await Release("start", "epsilon", "v2", "--workflow", "epsilon-hold"));
        await WaitForPhaseAsync(id, "Paused");
        var watch = Release("status", id, "--watch");

        var aborted = await Release("abort", id, "--actor", "bob");

        Assert.True(aborted.ExitCode == 0, aborted.ToString());
        var done = await WaitForPhaseAsync(id, "Aborted");
        Assert.Equal(0, done["weights"]!["canary"]!.GetValue<int>());
        Assert.Contains("aborted by bob", done["rollingBack"]!.GetValue<string>(), StringComparison.Ordinal);
        var watched = await watch;
        Assert.True(watched.ExitCode == 1, watched.ToString());
        Assert.Contains("Aborted", watched.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_AbortedRelease_StartsANewRelease()
    {
        await ServiceAsync("zeta");
        var id = IdOf(await Release("start", "zeta", "v2", "--workflow", "zeta-hold"));
        await WaitForPhaseAsync(id, "Paused");
        Assert.Equal(0, (await Release("abort", id)).ExitCode);
        await WaitForPhaseAsync(id, "Aborted");

        var retried = await Release("retry", id);

        Assert.True(retried.ExitCode == 0, retried.ToString());
        var match = Regex.Match(retried.Stdout, @"release (\S+) started \(retry of (\S+)\)");
        Assert.True(match.Success, retried.ToString());
        var again = match.Groups[1].Value;
        Assert.NotEqual(id, again);
        Assert.Equal(id, (await StatusAsync(again))["retryOf"]!.GetValue<string>());
        await WaitForPhaseAsync(again, "Paused");
    }

    [Fact]
    public async Task PromoteFull_PausedRelease_SucceedsAndWatchExitsZero()
    {
        await ServiceAsync("eta");
        var id = IdOf(await Release("start", "eta", "v2", "--workflow", "eta-hold"));
        await WaitForPhaseAsync(id, "Paused");
        var watch = Release("status", id, "--watch", "-o", "json");

        var promoted = await Release("promote", id, "--full");

        Assert.True(promoted.ExitCode == 0, promoted.ToString());
        var done = await WaitForPhaseAsync(id, "Succeeded");
        Assert.Contains(done["events"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "promoted fully");
        var watched = await watch;
        Assert.True(watched.ExitCode == 0, watched.ToString());
        Assert.Contains("\"Succeeded\"", watched.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActionVerbs_AtAnUntimedPause_ReachTheirActions()
    {
        await ServiceAsync("theta");
        var id = IdOf(await Release("start", "theta", "v2", "--workflow", "theta-hold"));
        await WaitForPhaseAsync(id, "Paused");

        // Refusals name the action the controller was asked for, so each verb is shown to reach its own.
        foreach (var (verb, refusal) in new[] { ("pause", "error: pause: already paused"), ("approve", "error: approve: nothing to approve"), ("reject", "error: reject: nothing to reject") })
        {
            var refused = await Release(verb, id);
            Assert.True(refused.ExitCode == 3, refused.ToString());
            Assert.StartsWith(refusal, refused.Stderr, StringComparison.Ordinal);
        }

        var promoted = await Release("promote", id, "-o", "yaml");

        Assert.True(promoted.ExitCode == 0, promoted.ToString());
        Assert.Contains($"id: {id}", promoted.Stdout, StringComparison.Ordinal);
        var done = await WaitForPhaseAsync(id, "Succeeded");
        Assert.Contains(done["events"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "pause done" && e["reason"]!.GetValue<string>().StartsWith("step promoted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_ArgumentTheTemplatesDoNotDeclareOrAValueTheyCannotTake_ExitsTwoNamingItAndStartsNothing()
    {
        await ServiceAsync("mu");
        await CheckedWorkflowAsync("mu");

        var undeclared = await Release("start", "mu", "v2", "--workflow", "mu-checked", "--arg", "max-error-rate=0.1", "--arg", "region=eu");
        var code = await Release("start", "mu", "v2", "--workflow", "mu-checked", "--arg", "max-error-rate=0.1 or true");
        var untemplated = await Release("start", "mu", "v2", "--workflow", "mu-hold", "--arg", "max-error-rate=0.1");

        Assert.True(undeclared.ExitCode == 2, undeclared.ToString());
        Assert.Equal("error: args.region: is not declared by the AnalysisTemplate workflow mu-checked runs: mu-errors (max-error-rate)", undeclared.Stderr.Trim());
        Assert.True(code.ExitCode == 2, code.ToString());
        Assert.StartsWith("error: args.max-error-rate: \"0.1 or true\" is not a number", code.Stderr, StringComparison.Ordinal);
        Assert.True(untemplated.ExitCode == 2, untemplated.ToString());
        Assert.Equal("error: args.max-error-rate: is not declared: workflow mu-hold runs no AnalysisTemplate, so it takes no arguments", untemplated.Stderr.Trim());
        Assert.DoesNotContain("\"mu\"", (await Release("list", "-o", "json")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BadArg_ExitsTwoWithoutCallingTheServer()
    {
        // Nothing listens there: had the verb called the server, it would exit 5.
        var result = await RunAsync("release", "start", "alpha", "v3", "--arg", "bad", "--server", $"http://127.0.0.1:{LoopbackPort.Free()}");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--arg: \"bad\" must be KEY=VALUE", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("status", "some-id")]
    [InlineData("start", "alpha", "v3")]
    [InlineData("promote", "some-id", "--full")]
    public async Task ReleaseVerb_ServerNotListening_ExitsFive(params string[] args)
    {
        var result = await RunAsync(["release", .. args, "--server", $"http://127.0.0.1:{LoopbackPort.Free()}"]);

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.StartsWith("error: the controller at http://127.0.0.1:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownRelease_ExitsFour()
    {
        var result = await Release("status", "no-such-release");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("error: release: no release \"no-such-release\", and no release of a service \"no-such-release\"; release list shows them all", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_BadServerUrl_ExitsTwoNamingTheOption()
    {
        var result = await RunAsync("release", "list", "--server", "127.0.0.1:8080");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--server: \"127.0.0.1:8080\"", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_WithToken_Lists_WithoutOrWithAWrongOne_ExitsSeven()
    {
        var listed = await RunAsync(Isolated(_home, "release", "list", "--server", controller.Url, "--token", controller.Token));
        var anonymous = await RunAsync(Isolated(_home, "release", "list", "--server", controller.Url));
        var wrong = await RunAsync(Isolated(_home, "release", "list", "--server", controller.Url, "--token", "not-a-token"));

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.True(anonymous.ExitCode == 7, anonymous.ToString());
        Assert.Contains("error: Authorization: a bearer token is required", anonymous.Stderr, StringComparison.Ordinal);
        Assert.Contains("error: no token was sent: give one with --token or $LIGHTMESH_TOKEN", anonymous.Stderr, StringComparison.Ordinal);
        Assert.True(wrong.ExitCode == 7, wrong.ToString());
        Assert.Contains("error: the controller does not accept the token from --token: give one it knows with --token or $LIGHTMESH_TOKEN", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-token", wrong.Stderr + wrong.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_TokenFromTheEnvironmentOrTheTokenFile_IsSent()
    {
        var fromEnvironment = Isolated(_home, "release", "list", "--server", controller.Url);
        fromEnvironment.Environment["LIGHTMESH_TOKEN"] = controller.Token;
        var viaEnvironment = await RunAsync(fromEnvironment);
        Directory.CreateDirectory(Path.Combine(_home, ".lightmesh"));
        await File.WriteAllTextAsync(Path.Combine(_home, ".lightmesh", "token"), controller.Token + "\n");
        var viaFile = await RunAsync(Isolated(_home, "release", "list", "--server", controller.Url));

        Assert.True(viaEnvironment.ExitCode == 0, viaEnvironment.ToString());
        Assert.True(viaFile.ExitCode == 0, viaFile.ToString());
    }

    [Fact]
    public async Task Start_ViewerToken_ExitsSevenNamingTheRoleNeeded_AndStartsNothing()
    {
        await ServiceAsync("kappa");

        var result = await RunAsync("release", "start", "kappa", "v2", "--workflow", "kappa-hold", "--server", controller.Url, "--token", controller.ViewerToken);

        Assert.True(result.ExitCode == 7, result.ToString());
        Assert.Contains("error: role: this needs operator or higher; token \"watcher\" is viewer: use a token with that role", result.Stderr, StringComparison.Ordinal);
        var list = await Release("list", "-o", "json");
        Assert.DoesNotContain("\"kappa\"", list.Stdout, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The CLI with no token from its environment: HOME is <paramref name="home"/>, not the user's, and $LIGHTMESH_TOKEN is unset.</summary>
    private static System.Diagnostics.ProcessStartInfo Isolated(string home, params string[] args)
    {
        var info = StartInfo(args);
        info.Environment["HOME"] = home;
        info.Environment.Remove("LIGHTMESH_TOKEN");
        return info;
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _etcd?.Dispose();
        Directory.Delete(_home, recursive: true);
    }
}
