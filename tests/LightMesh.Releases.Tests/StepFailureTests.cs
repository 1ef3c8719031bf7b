using System.Net.Http.Json;
using System.Text.Json;
using LightMesh.Processes;
using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using LightMesh.Testing;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Tests;

/// <summary>
/// A step that throws reaches the decider: what cannot pass fails the step with its reason and the release rolls back,
/// instead of the workflow engine trying the step again for ever.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class StepFailureTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
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
        await H.ApplyAsync(Template("away", $"http://127.0.0.1:{LoopbackPort.Free()}/"));
        await H.ServiceAsync("gamma", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [away]}\n  - promote: {}");
        var id = (await H.StartAsync("gamma", "v2")).Id;

        var retrying = await H.WaitAsync(id, r => r.Retry is { Attempt: >= 2 }, "the analysis tried again");
        Assert.Equal((ReleasePhase.Progressing, 2, null), (retrying.Phase, retrying.Step, retrying.RollingBack));
        Assert.Contains("could not be reached", retrying.Retry!.Reason, StringComparison.Ordinal);

        // Prometheus answers again (here: the template points at one that does); the next try judges the canary.
        await H.ApplyAsync(Template("away", H.Prometheus.Address.ToString()));
        await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
    }

    [Fact]
    public async Task AnalysisStep_PrometheusUnreachable_StatusSaysWhatItCouldNotMeasure_WhileTheRunGoesOn()
    {
        var port = LoopbackPort.Free(); // bound and closed again: nothing listens there
        await H.ApplyAsync(Template("silent", $"http://127.0.0.1:{port}/", errorLimit: 3));
        await H.ServiceAsync("delta", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [silent]}\n  - promote: {}");
        var id = (await H.StartAsync("delta", "v2")).Id;

        // The API says so from the first failed measurement on, while the run measures on towards its error limit.
        var shown = await Poll.UntilAsync(() => ApiReleaseAsync(id), r => r.GetProperty("unmeasured").GetArrayLength() > 0, TimeSpan.FromSeconds(30), $"release {id}: the API shows what its analysis could not measure");
        Assert.Equal(("Progressing", 2, JsonValueKind.Null), (shown.GetProperty("phase").GetString(), shown.GetProperty("step").GetInt32(), shown.GetProperty("rollingBack").ValueKind));
        var note = shown.GetProperty("unmeasured")[0];
        Assert.Equal(("silent", "errors", 2, 3), (note.GetProperty("template").GetString(), note.GetProperty("metric").GetString(), note.GetProperty("step").GetInt32(), note.GetProperty("errorLimit").GetInt32()));
        Assert.Contains("could not be reached", note.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", note.GetProperty("error").GetString(), StringComparison.Ordinal);

        // And the release's state in etcd, as every reader of it sees it.
        var stored = await Poll.UntilAsync(async () => (await new ReleaseStore(H.Etcd).GetAsync(id, default)).State!, r => r.Unmeasured.Count > 0, TimeSpan.FromSeconds(30), $"release {id}: its stored state notes what its analysis could not measure");
        Assert.Equal((2, "silent", "errors", TimeSpan.FromSeconds(1)), (stored.Unmeasured[0].Step, stored.Unmeasured[0].Template, stored.Unmeasured[0].Metric, stored.Unmeasured[0].Interval));

        // Those saves do not stop the analysis: it runs to its error limit, and the release tries it again.
        var retrying = await H.WaitAsync(id, r => r.Retry is not null, "the analysis ran to its error limit");
        Assert.Contains("could not be reached", retrying.Retry!.Reason, StringComparison.Ordinal);

        // Once the step is done, the note is gone.
        await H.ApplyAsync(Template("silent", H.Prometheus.Address.ToString()));
        var done = await H.WaitForPhaseAsync(id, ReleasePhase.Succeeded);
        Assert.Empty(done.Unmeasured);
        Assert.Equal(0, (await ApiReleaseAsync(id)).GetProperty("unmeasured").GetArrayLength());
    }

    [Fact]
    public async Task AnalysisStep_OperatorActsWhileItsStatusSaysWhatItCouldNotMeasure_TheActionStands()
    {
        await H.ApplyAsync(Template("muted", $"http://127.0.0.1:{LoopbackPort.Free()}/", errorLimit: 3));
        await H.ServiceAsync("epsilon", "  - deploy: {}\n  - setWeight: 20\n  - analysis: {templates: [muted]}\n  - promote: {}");
        var id = (await H.StartAsync("epsilon", "v2")).Id;
        await H.WaitAsync(id, r => r.Unmeasured.Count > 0, "its status says what its analysis could not measure");

        // The pause is saved over the note (guarded: it reads the note, the decider clears it), and no save of the stopped analysis undoes it.
        var paused = await H.Releases.ActAsync(id, OperatorAction.Pause, "ops", default);
        Assert.Equal(ReleaseOutcome.Done, paused.Outcome);
        Assert.Equal((ReleasePhase.Paused, 0), (paused.Release!.Phase, paused.Release.Unmeasured.Count));

        // Resumed, the step runs again from its first measurement, and says so again; aborted, the release ends without a note.
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(id, OperatorAction.Resume, "ops", default)).Outcome);
        var again = await H.WaitAsync(id, r => r.Unmeasured.Count > 0, "its status says again what its analysis could not measure");
        Assert.Equal((ReleasePhase.Progressing, "paused by ops"), (again.Phase, again.Events.Last(e => e.Action == "paused").Reason));
        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(id, OperatorAction.Abort, "ops", default)).Outcome);
        var aborted = await H.WaitForPhaseAsync(id, ReleasePhase.Aborted);
        Assert.Empty(aborted.Unmeasured);
    }

    /// <summary>The release as <c>GET /api/v1/releases/{id}</c> answers it.</summary>
    private async Task<JsonElement> ApiReleaseAsync(string id)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ControllerHarness.Token);
        return await http.GetFromJsonAsync<JsonElement>(new Uri(H.Api, $"api/v1/releases/{id}"));
    }

    private static string Template(string name, string address, int errorLimit = 0) => $$$"""
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
            consecutiveErrorLimit: {{{errorLimit}}}
            successCondition: result < 0.05
        """;
}
