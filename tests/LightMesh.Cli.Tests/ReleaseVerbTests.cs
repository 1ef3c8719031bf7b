using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Core.Mesh;
using LightMesh.Etcd.Registry;
using LightMesh.Etcd;
using LightMesh.Processes;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>
/// The <c>release</c> verbs as processes against a real controller process and etcd. Each test releases its own service
/// (no deploy section: the test registers a live v1 and v2 instance) with a workflow that waits at an untimed pause.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseVerbTests(EtcdFixture etcd, ControllerProcessFixture controller) : IClassFixture<ControllerProcessFixture>, IAsyncLifetime
{
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(30);

    private readonly List<InstanceRegistration> _instances = [];
    private readonly string _home = Directory.CreateTempSubdirectory("lightmesh-home-").FullName;
    private EtcdConnection? _etcd;

    [Fact]
    public async Task ConsoleLink_PrintsAOneTimeSignInLink_ThatTheConsoleOffersToTheTokensHolder()
    {
        var made = await RunAsync(["console", "link", "--server", controller.Url, "--token", controller.Token]);
        Assert.True(made.ExitCode == 0, made.ToString());
        var link = made.Stdout.Trim();
        Assert.Matches($"^{Regex.Escape(controller.Url)}/console/sign-in/link\\?code=[A-Za-z0-9_-]{{43}}$", link);
        Assert.Contains("signs one browser in, once, until ", made.Stderr, StringComparison.Ordinal);
        using (var browser = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            Assert.Contains("signs you in once as <strong>", await browser.GetStringAsync(new Uri(link)), StringComparison.Ordinal);
        }

        var json = await RunAsync(["console", "link", "--server", controller.Url, "--token", controller.Token, "-o", "json"]);
        Assert.StartsWith($"{controller.Url}/console/sign-in/link?code=", (string?)JsonNode.Parse(json.Stdout)!["url"], StringComparison.Ordinal);

        var refused = await RunAsync(["console", "link", "--server", controller.Url, "--token", "not-a-token"]);
        Assert.True(refused.ExitCode == 7, refused.ToString());
    }

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

    /// <summary>
    /// A group release through the verbs: start-group prints the group and a row per member (the second waiting for the
    /// first), status shows the first member's release paused at its untimed pause, abort rolls it back, and status
    /// --watch follows the group to RolledBack and exits 1. A member given twice, or not as SERVICE=VERSION, exits 2.
    /// </summary>
    [Fact]
    public async Task StartGroup_StatusAndAbort_FollowTheGroupToItsEnd()
    {
        await ServiceAsync("grp-a");
        await ServiceAsync("grp-b");
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pair.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: lightmesh.io/v1
            kind: ReleaseGroupWorkflow
            metadata: {name: grp-pair}
            spec:
              members:
              - {service: grp-a, workflow: grp-a-hold}
              - {service: grp-b, workflow: grp-b-hold, after: [grp-a]}
            """);
        Assert.Equal(0, (await Store("apply", "-f", file)).ExitCode);

        Assert.Equal(2, (await Release("start-group", "grp-pair", "grp-a=v2", "grp-a=v3")).ExitCode);
        Assert.Equal(2, (await Release("start-group", "grp-pair", "grp-a")).ExitCode);

        var started = await Release("start-group", "grp-pair", "grp-a=v2", "grp-b=v2", "--actor", "ci");
        var match = Regex.Match(started.Stdout, @"^group release (\S+) started", RegexOptions.Multiline);
        Assert.True(started.ExitCode == 0 && match.Success, started.ToString());
        var id = match.Groups[1].Value;
        Assert.Matches(@"(?m)^grp-b\s+v2\s+grp-a\s+-\s+waiting", started.Stdout);

        var paused = await UntilAsync(() => Release("group", "status", id), r => Regex.IsMatch(r.Stdout, @"(?m)^grp-a\s+v2\s+\S*\s*grp-pair-\S+-grp-a\s+Paused"), "grp-a paused");
        Assert.Contains($"group {id} (grp-pair, gate promoted): Progressing", paused.Stdout, StringComparison.Ordinal);

        var aborted = await Release("group", "abort", id, "--actor", "alice");
        Assert.True(aborted.ExitCode == 0, aborted.ToString());
        Assert.Contains("RollingBack: aborted by alice", aborted.Stdout, StringComparison.Ordinal);

        var watched = await Release("group", "status", id, "--watch");
        Assert.True(watched.ExitCode == 1, watched.ToString());
        Assert.Contains($"group {id} (grp-pair, gate promoted): RolledBack: aborted by alice", watched.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^grp-a\s+v2\s+\S*\s*grp-pair-\S+-grp-a\s+Aborted", watched.Stdout);

        var json = JsonNode.Parse((await Release("group", "status", id, "-o", "json")).Stdout)!;
        Assert.Equal("RolledBack", json["phase"]!.GetValue<string>());
        Assert.Equal(3, (await Release("group", "abort", id)).ExitCode);
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
    public async Task Start_RunAgainWithItsIdempotencyKey_ExitsZeroNamingTheFirstRelease()
    {
        await ServiceAsync("xi");
        var first = IdOf(await Release("start", "xi", "v2", "--workflow", "xi-hold", "--idempotency-key", "pipeline 7/run 1"));

        var again = await Release("start", "xi", "v2", "--workflow", "xi-hold", "--idempotency-key", "pipeline 7/run 1");
        var otherKey = await Release("start", "xi", "v2", "--workflow", "xi-hold", "--idempotency-key", "pipeline 8/run 1");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal($"release {first} was started before, by a start with the same idempotency key; nothing new started", again.Stdout.Split('\n')[0]);
        Assert.True(otherKey.ExitCode == 3, otherKey.ToString());
        Assert.Matches($"(?m)^error: .*{Regex.Escape(first)}", otherKey.Stderr);
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

    // Running the verbs against the class's controller, and the service each test releases.

    private Task<Result> Release(params string[] args) => RunAsync(["release", .. args, "--server", controller.Url, "--token", controller.Token]);

    private Task<Result> Store(params string[] args) => RunAsync([.. args, "--etcd", etcd.Endpoint, "--prefix", controller.Prefix]);

    /// <summary>
    /// Applies a Service without a deploy section and a workflow <c>SERVICE-hold</c> (deploy, 20%, an untimed pause, 50%,
    /// promote), and registers a live instance of v1 (so v1 is stable) and of v2 (so the deploy step finds the canary).
    /// </summary>
    private async Task ServiceAsync(string service)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, $"{service}.yaml");
        await File.WriteAllTextAsync(file, TestMeshes.Join(
            TestMeshes.Service(service),
            TestMeshes.Workflow($"{service}-hold", """
                  - deploy: {replicas: 1}
                  - setWeight: 20
                  - pause: {}
                  - setWeight: 50
                  - promote: {}
                """)));
        var applied = await Store("apply", "-f", file);
        Assert.True(applied.ExitCode == 0, applied.ToString());

        _etcd ??= etcd.Connect(controller.Prefix);
        var registry = new InstanceRegistry(_etcd, TimeProvider.System, EtcdFixture.Logger<InstanceRegistry>());
        foreach (var (version, port) in new[] { ("v1", LoopbackPort.Free()), ("v2", LoopbackPort.Free()) })
        {
            var instance = new Instance { Service = service, Id = $"{service}-{version}", Version = version, Address = "127.0.0.1", Port = port };
            var outcome = await registry.RegisterAsync(instance, TimeSpan.FromSeconds(10), default);
            Assert.True(outcome.Registration is not null, outcome.Conflict);
            _instances.Add(outcome.Registration);
        }
    }

    /// <summary>
    /// Applies an AnalysisTemplate <c>SERVICE-errors</c> that declares <c>max-error-rate</c> and a workflow
    /// <c>SERVICE-checked</c> that runs it after an untimed pause: a release of it can be given that argument.
    /// </summary>
    private async Task CheckedWorkflowAsync(string service)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, $"{service}-checked.yaml");
        await File.WriteAllTextAsync(file, TestMeshes.Join(
            TestMeshes.ErrorsTemplate($"{service}-errors"),
            TestMeshes.Workflow($"{service}-checked", $$"""
                  - deploy: {replicas: 1}
                  - setWeight: 20
                  - pause: {}
                  - analysis: {templates: [{{service}}-errors]}
                  - promote: {}
                """)));
        var applied = await Store("apply", "-f", file);
        Assert.True(applied.ExitCode == 0, applied.ToString());
    }

    private static string IdOf(Result started)
    {
        var match = Regex.Match(started.Stdout, @"^release (\S+) started", RegexOptions.Multiline);
        Assert.True(started.ExitCode == 0 && match.Success, started.ToString());
        return match.Groups[1].Value;
    }

    private async Task<JsonNode> StatusAsync(string id)
    {
        var result = await Release("status", id, "-o", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Stdout)!;
    }

    /// <summary>Polls <c>status</c> until the release is in <paramref name="phase"/>; fails at once if it ends in another.</summary>
    private async Task<JsonNode> WaitForPhaseAsync(string id, string phase)
    {
        Result result;
        try
        {
            result = await Poll.UntilAsync(
                () => Release("status", id, "-o", "json"),
                r => r.ExitCode == 0 && PhaseOf(r) is var now && (now == phase || now is "Succeeded" or "RolledBack" or "Aborted" or "Failed"),
                PhaseTimeout,
                $"release {id} to be {phase}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- controller output\n{controller.Output}", e);
        }

        Assert.True(PhaseOf(result) == phase, $"release {id} ended {PhaseOf(result)}, not {phase}:\n{result}\n--- controller output\n{controller.Output}");
        return JsonNode.Parse(result.Stdout)!;

        static string PhaseOf(Result r) => JsonNode.Parse(r.Stdout)!["phase"]!.GetValue<string>();
    }

    // <c>release status</c> and <c>status --watch</c> show the step, the weights as a bar and the last measurements.

    [Fact]
    public async Task Status_PausedAfterSetWeight20_ShowsTheStepAndAn80To20Bar_JsonUnchanged()
    {
        await ServiceAsync("iota");
        var id = IdOf(await Release("start", "iota", "v2", "--workflow", "iota-hold"));
        await WaitForPhaseAsync(id, "Paused");

        var table = await Release("status", id);
        var json = await Release("status", id, "-o", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"(?m)^step +3/5 \(pause\)  Paused: ", table.Stdout);
        Assert.Matches(BarAt(80, 20), table.Stdout);
        Assert.True(json.ExitCode == 0, json.ToString());
        var release = JsonNode.Parse(json.Stdout)!;
        Assert.Equal(80, release["weights"]!["stable"]!.GetValue<int>());
        Assert.Equal(20, release["weights"]!["canary"]!.GetValue<int>());
        Assert.DoesNotContain("░", json.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusWatch_Redirected_ShowsThe80To20BarThenFollowsTheReleaseToTheEnd()
    {
        await ServiceAsync("lambda");
        var id = IdOf(await Release("start", "lambda", "v2", "--workflow", "lambda-hold"));
        await WaitForPhaseAsync(id, "Paused");
        using var deadline = new CancellationTokenSource(PhaseTimeout);
        using var watch = Process.Start(StartInfo("release", "status", id, "--watch", "--server", controller.Url, "--token", controller.Token))!;
        watch.StandardInput.Close();

        // The watcher has shown the paused release before it is resumed: its lines are read as they come.
        var shown = new List<string>();
        string? line = null;
        try
        {
            while ((line = await watch.StandardOutput.ReadLineAsync(deadline.Token)) is not null && !BarAt(80, 20).IsMatch(line))
            {
                shown.Add(line);
            }
        }
        catch (OperationCanceledException)
        {
            watch.Kill();
        }

        if (line is null)
        {
            Assert.Fail($"no 80/20 bar in:\n{string.Join('\n', shown)}\n--- stderr\n{await watch.StandardError.ReadToEndAsync()}");
        }

        Assert.Equal(0, (await Release("resume", id)).ExitCode);
        var rest = await watch.StandardOutput.ReadToEndAsync(deadline.Token);
        await watch.WaitForExitAsync(deadline.Token);

        Assert.True(watch.ExitCode == 0, $"exit {watch.ExitCode}\n{rest}\n--- stderr\n{await watch.StandardError.ReadToEndAsync(deadline.Token)}");
        Assert.Matches(@"(?m)^step +5/5 \(promote\)  Succeeded *$", rest);
        Assert.Matches(BarAt(100, 0), rest);
    }

    [Fact]
    public async Task Status_AnalysisCannotReachPrometheus_TableListAndJsonSayWhatItCouldNotMeasure()
    {
        await ServiceAsync("nu");
        var port = LoopbackPort.Free(); // bound and closed again: nothing listens there
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "nu-silent.yaml");
        await File.WriteAllTextAsync(file, $$$"""
            apiVersion: lightmesh.io/v1
            kind: AnalysisTemplate
            metadata: {name: nu-silent}
            spec:
              metrics:
              - name: errors
                provider: {prometheus: {address: 'http://127.0.0.1:{{{port}}}/', query: 'errors{version="{{canary}}"}'}}
                interval: 2s
                consecutiveErrorLimit: 5
                successCondition: result < 0.05
            ---
            apiVersion: lightmesh.io/v1
            kind: ReleaseWorkflow
            metadata: {name: nu-silent}
            spec:
              steps:
              - deploy: {replicas: 1}
              - setWeight: 20
              - analysis: {templates: [nu-silent]}
              - promote: {}
            """);
        Assert.Equal(0, (await Store("apply", "-f", file)).ExitCode);
        var id = IdOf(await Release("start", "nu", "v2", "--workflow", "nu-silent"));

        // Each read is its own wait: the note shows while a run measures (10 s), and again in each run after the retry delay.
        var note = new Regex($@"analysis: nu-silent/errors could not measure at [-0-9]+ [:0-9]+: Prometheus at http://127\.0\.0\.1:{port}/ could not be reached: .*; measuring again every 2s until more than 5 errors in a row end the run");
        var table = await UntilAsync(() => Release("status", id), r => note.IsMatch(r.Stdout), "release status to show the note");
        var list = await UntilAsync(() => Release("list", "--service", "nu"), r => note.IsMatch(r.Stdout), "release list to show the note");
        var json = await UntilAsync(() => Release("status", id, "-o", "json"), r => r.ExitCode == 0 && JsonNode.Parse(r.Stdout)!["unmeasured"]!.AsArray().Count > 0, "the JSON to carry the note");

        Assert.Matches(@"(?m)^step +3/4 \(analysis\)  Progressing: analysis: nu-silent/errors could not measure at ", table.Stdout);
        Assert.Contains(id, list.Stdout, StringComparison.Ordinal);
        var unmeasured = JsonNode.Parse(json.Stdout)!["unmeasured"]![0]!;
        Assert.Equal(("nu-silent", "errors", 5), (unmeasured["template"]!.GetValue<string>(), unmeasured["metric"]!.GetValue<string>(), unmeasured["errorLimit"]!.GetValue<int>()));
        Assert.Contains($"127.0.0.1:{port}", unmeasured["error"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(0, (await Release("abort", id)).ExitCode);
        var aborted = await WaitForPhaseAsync(id, "Aborted");
        Assert.Empty(aborted["unmeasured"]!.AsArray());
    }

    private async Task<Result> UntilAsync(Func<Task<Result>> run, Func<Result, bool> done, string what)
    {
        try
        {
            return await Poll.UntilAsync(run, done, TimeSpan.FromSeconds(60), what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- controller output\n{controller.Output}", e);
        }
    }

    // Twenty cells, one per 5%: 80/20 is sixteen stable cells and four canary cells.
    private static Regex BarAt(int stable, int canary) =>
        new($"(?m)^weights +stable {stable}% █{{{stable / 5}}}░{{{canary / 5}}} canary {canary}% *$");
}
