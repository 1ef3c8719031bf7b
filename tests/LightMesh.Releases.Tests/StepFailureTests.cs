using LightMesh.Core.Releases;
using LightMesh.Testing;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A step that throws reaches the decider: what cannot pass fails the step with its reason and the release rolls back,
/// instead of the workflow engine trying the step again for ever.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class StepFailureTests(EtcdFixture etcd) : IAsyncLifetime
{
    private ControllerHarness? _harness;

    private ControllerHarness H => _harness!;

    public async Task InitializeAsync() => _harness = await ControllerHarness.StartAsync(etcd);

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnalysisStep_PrometheusAnswerThatCannotBeRead_FailsTheStepWithTheReason()
    {
        // A value that is not a number where Prometheus writes one.
        using var prometheus = new RecordingEndpoint(
            new Dictionary<string, int> { ["/api/v1/query"] = 200 },
            bodies: new Dictionary<string, string> { ["/api/v1/query"] = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"not a number"]}]}}""" });
        await H.ApplyAsync(Template("garbled", $"http://127.0.0.1:{prometheus.Port}/"));
        await H.ServiceAsync("alpha", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [garbled]}\n  - promote: {}");

        var done = await H.WaitForPhaseAsync((await H.StartAsync("alpha", "v2")).Id, ReleasePhase.RolledBack);

        Assert.StartsWith("step 2 (analysis) failed: FormatException: ", done.RollingBack, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("alpha"));
    }

    [Fact]
    public async Task AnalysisStep_AddressThatIsNoUri_FailsTheStepWithTheReason()
    {
        await H.ApplyAsync(Template("elsewhere", "http://{{host}}/"));
        await H.ServiceAsync("beta", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [elsewhere]}\n  - promote: {}");
        StartRequest Start(string host) => new()
        {
            Service = "beta", Version = "v2", Workflow = "beta-flow", Actor = "test",
            Args = new Dictionary<string, string> { ["host"] = host },
        };

        // A value that could be more than a host name is refused before the release starts; one that is a bad host name fails the step.
        var refused = await H.Releases.StartAsync(Start("no host name"), default);
        var started = await H.Releases.StartAsync(Start("a..b"), default);

        Assert.Equal(ReleaseOutcome.Invalid, refused.Outcome);
        Assert.StartsWith("args.host: \"no host name\" cannot go into the address of elsewhere/errors", Assert.Single(refused.Errors), StringComparison.Ordinal);
        var done = await H.WaitForPhaseAsync(started.Release!.Id, ReleasePhase.RolledBack);
        Assert.Contains("address \"http://a..b/\" is not an http:// or https:// URL", done.RollingBack, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("beta"));
    }

    [Fact]
    public async Task AnalysisStep_PrometheusUnreachable_IsTriedAgainAndShown_UntilItAnswers()
    {
        await H.ApplyAsync(Template("away", $"http://127.0.0.1:{Ports.Free()}/"));
        await H.ServiceAsync("gamma", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [away]}\n  - promote: {}");
        var id = (await H.StartAsync("gamma", "v2")).Id;

        var retrying = await H.WaitAsync(id, r => r.Retry is { Attempt: >= 2 }, "the analysis tried again");
        Assert.Equal((ReleasePhase.Progressing, 2, null), (retrying.Phase, retrying.Step, retrying.RollingBack));
        Assert.Contains("could not be reached", retrying.Retry!.Reason, StringComparison.Ordinal);

        // Prometheus answers again (here: the template points at one that does); the next try judges the canary.
        await H.ApplyAsync(Template("away", H.Prometheus.Address.ToString()));
        await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
    }

    private static string Template(string name, string address) => $$$"""
        apiVersion: lightmesh.io/v1
        kind: AnalysisTemplate
        metadata: {name: {{{name}}}}
        spec:
          args:
          - name: host
            value: 127.0.0.1
          metrics:
          - name: errors
            provider:
              prometheus:
                address: '{{{address}}}'
                query: 'error_ratio{service="{{service}}",version="{{canary}}"}'
            interval: 1s
            count: 1
            consecutiveErrorLimit: 0
            successCondition: result < 0.05
        """;
}
