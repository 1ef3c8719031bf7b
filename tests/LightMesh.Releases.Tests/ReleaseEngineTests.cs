using LightMesh.Core.Analysis;
using LightMesh.Core.Documents;
using LightMesh.Core.Networking;
using LightMesh.Core.Releases;
using LightMesh.Testing;
using LightMesh.Releases.Requests;

namespace LightMesh.Releases.Tests;

/// <summary>Releases end to end in one controller: real etcd, the xDS control plane, WorkflowCore on etcd, a real Prometheus.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ReleaseEngineTests(EtcdFixture etcd) : ControllerTestBase(etcd)
{
    [Fact]
    public async Task Release_HealthyCanary_PromotesAndTheNewVersionIsStable()
    {
        await H.ServiceAsync("alpha", """
              - deploy: {}
              - setWeight: 20
              - analysis: {templates: [error-ratio]}
              - setWeight: 50
              - pause: {duration: 1s}
              - promote: {}
            """);

        var release = await H.StartAsync("alpha", "v2");
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);

        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("alpha"));
        var rule = (DestinationRule)(await H.Documents.GetAsync(DocumentKind.DestinationRule, "alpha", default))!;
        Assert.Equal("v2", rule.Spec.Subsets.Single(s => s.Name == "stable").Labels["version"]);
        Assert.Equal(
            ["started", "deploy done", "setWeight done", "analysis done", "setWeight done", "pausing", "pause done", "promoting", "succeeded"],
            done.Events.Select(e => e.Action));
        var measured = Assert.Single(done.Analyses);
        Assert.Equal(("error-ratio", AnalysisPhase.Successful, 0.01), (measured.Metric, measured.Phase, measured.Measurements.Single().Value));
        Assert.True(done.Events[6].At - done.Events[5].At >= TimeSpan.FromSeconds(1), "the pause lasted its duration");

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(H.Api, "metrics"));
        Assert.Contains("lightmesh_release_analysis_value{service=\"alpha\",template=\"error-ratio\",metric=\"error-ratio\"} 0.01", metrics, StringComparison.Ordinal);
        Assert.Contains("lightmesh_release_canary_weight{service=\"alpha\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("lightmesh_release_step_duration_seconds_count{step=\"pause\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_FailingAnalysis_RollsBackToStableWithTheMetricAndValue()
    {
        await H.ServiceAsync("beta", """
              - deploy: {}
              - setWeight: 30
              - analysis: {templates: [error-ratio]}
              - setWeight: 60
              - promote: {}
            """);

        var release = await H.StartAsync("beta", "v3");
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack);

        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("beta"));
        Assert.Contains("error-ratio", done.RollingBack, StringComparison.Ordinal);
        Assert.Contains("0.4", done.RollingBack, StringComparison.Ordinal);
        Assert.Equal(AnalysisPhase.Failed, done.Analyses.Single().Phase);
        Assert.Equal([("rolling back", 2), ("rolled back", 2)], done.Events.TakeLast(2).Select(e => (e.Action, e.Step)));
        Assert.Equal([0, 1], done.Events.Where(e => e.Action.EndsWith(" done", StringComparison.Ordinal)).Select(e => e.Step));
        var rule = (DestinationRule)(await H.Documents.GetAsync(DocumentKind.DestinationRule, "beta", default))!;
        Assert.Equal("v1", rule.Spec.Subsets.Single(s => s.Name == "stable").Labels["version"]);
    }

    [Fact]
    public async Task Release_InconclusiveAnalysis_PausesUntilResumed()
    {
        await H.ServiceAsync("gamma", """
              - deploy: {}
              - setWeight: 10
              - analysis: {templates: [error-ratio]}
              - setWeight: 40
              - promote: {}
            """);

        var release = await H.StartAsync("gamma", "v5");
        var paused = await H.WaitForPhaseAsync(release.Id, ReleasePhase.Paused);
        Assert.Contains("inconclusive", paused.PausedBecause, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 90, ["canary"] = 10 }, await H.WeightsAsync("gamma"));

        Assert.Equal(ReleaseOutcome.Done, (await H.Releases.ActAsync(release.Id, OperatorAction.Resume, "alice", default)).Outcome);
        await H.WaitForPhaseAsync(release.Id, ReleasePhase.Succeeded);
    }

    [Fact]
    public async Task BackgroundAnalysis_FailingDuringAnUntimedPause_RollsBackAtOnce()
    {
        await H.ServiceAsync("delta", """
              - deploy: {}
              - setWeight: 10
              - pause: {}
              - promote: {}
            """, """
              backgroundAnalysis:
                templates: [error-ratio]
                startingStep: 1
            """);

        var release = await H.StartAsync("delta", "v3");
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack);

        Assert.StartsWith("background analysis failed", done.RollingBack, StringComparison.Ordinal);
        Assert.Contains(done.Analyses, a => a.Background && a.Phase == AnalysisPhase.Failed);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100, ["canary"] = 0 }, await H.WeightsAsync("delta"));
    }

    [Fact]
    public async Task Supersede_AbortsAndRollsBackTheRunningRelease_ThenStartsTheNewOne()
    {
        await H.ServiceAsync("epsilon", """
              - deploy: {}
              - setWeight: 25
              - pause: {}
              - promote: {}
            """);
        var first = await H.StartAsync("epsilon", "v2");
        await H.WaitForPhaseAsync(first.Id, ReleasePhase.Paused);

        var refused = await H.Releases.StartAsync(new StartRequest { Service = "epsilon", Version = "v4", Workflow = "epsilon-flow" }, default);
        Assert.Equal(ReleaseOutcome.Conflict, refused.Outcome);
        Assert.Contains(first.Id, refused.Errors.Single(), StringComparison.Ordinal);

        var second = await H.StartAsync("epsilon", "v4", supersede: true);

        var aborted = (await H.Releases.GetAsync(first.Id, default))!;
        Assert.Equal(ReleasePhase.Aborted, aborted.Phase);
        Assert.Contains("superseded by v4", aborted.Events[^1].Reason, StringComparison.Ordinal);
        await H.WaitForPhaseAsync(second.Id, ReleasePhase.Paused);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 75, ["canary"] = 25 }, await H.WeightsAsync("epsilon"));
        var rule = (DestinationRule)(await H.Documents.GetAsync(DocumentKind.DestinationRule, "epsilon", default))!;
        Assert.Equal("v4", rule.Spec.Subsets.Single(s => s.Name == "canary").Labels["version"]);
    }

    [Fact]
    public async Task WebhookSteps_GateTheRelease_AndNotificationsHearEveryTransition_RetriedWhenRefused()
    {
        using var endpoint = new RecordingEndpoint(new Dictionary<string, int> { ["/gate"] = 200, ["/closed"] = 503, ["/notify"] = 204, ["/chat"] = 200 }, new Dictionary<string, int> { ["/notify"] = 1 });
        await H.ServiceAsync("eta", $$"""
              - deploy: {}
              - webhook:
                  url: "{{endpoint.Url("/gate")}}"
                  headers: {X-Check: load-test}
              - setWeight: 50
              - webhook:
                  url: "{{endpoint.Url("/closed")}}"
                  timeout: 2s
              - promote: {}
            """, $"  notifications: [\"{endpoint.Url("/notify")}\", \"{endpoint.Url("/chat")}#slack\"]");

        var release = await H.StartAsync("eta", "v2");
        var done = await H.WaitForPhaseAsync(release.Id, ReleasePhase.RolledBack);

        Assert.Contains("answered 503, expected 2xx", done.RollingBack, StringComparison.Ordinal);
        Assert.Contains(endpoint.Requests, r => r is { Method: "POST", Path: "/gate" } && r.Body.Contains(release.Id, StringComparison.Ordinal));
        // The first notification ("started") is refused once and sent again, so each transition is heard, in order, with one repeat.
        var heard = await Poll.UntilAsync(
            () => Task.FromResult(endpoint.Requests.Where(r => r.Path == "/notify").Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("action").GetString()).ToList()),
            h => h.Count == done.Events.Count + 1,
            TimeSpan.FromSeconds(20),
            "every notification");
        Assert.Equal(done.Events.Select(e => e.Action).Prepend("started"), heard);
        var chat = await Poll.UntilAsync(() => Task.FromResult(endpoint.Requests.Where(r => r.Path == "/chat").ToList()), c => c.Count == done.Events.Count, TimeSpan.FromSeconds(20), "the Slack-shaped notifications");
        Assert.StartsWith("*eta* v1 → v2", System.Text.Json.JsonDocument.Parse(chat[^1].Body).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(H.Api, "metrics"));
        Assert.Contains("lightmesh_release_transitions_total{action=\"rolling back\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("lightmesh_release_engine_leader 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentReleases_OfDifferentServices_AllSucceed_TheirRouteWritesRacingEachOther()
    {
        string[] services = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
        foreach (var service in services)
        {
            await H.ServiceAsync(service, """
                  - deploy: {}
                  - setWeight: 10
                  - setWeight: 50
                  - promote: {}
                """);
        }

        var releases = await Task.WhenAll(services.Select(s => H.StartAsync(s, "v2")));
        var done = await Task.WhenAll(releases.Select(r => H.WaitAsync(r.Id, s => s.IsFinished, "the end", 60)));

        Assert.All(done, r => Assert.True(r.Phase == ReleasePhase.Succeeded, $"{r.Id}: {r.Phase} {r.RollingBack}"));
    }

    [Fact]
    public async Task Start_UnknownServiceOrWorkflow_IsNotFound_AndNothingIsWritten()
    {
        var noService = await H.Releases.StartAsync(new StartRequest { Service = "nosuch", Version = "v2" }, default);
        Assert.Equal(ReleaseOutcome.NotFound, noService.Outcome);
        Assert.Equal(
            ["service: no Service named \"nosuch\"; lightmesh get services lists them, and apply -f adds one", "workflow: no ReleaseWorkflow named \"canary\"; none is stored; apply one first (lightmesh apply -f workflows/analysis -f workflows/canary.yaml)"],
            noService.Errors);

        await H.ServiceAsync("zeta", "  - promote: {}");
        var noWorkflow = await H.Releases.StartAsync(new StartRequest { Service = "zeta", Version = "v2", Workflow = "nosuch-flow" }, default);
        Assert.Equal(ReleaseOutcome.NotFound, noWorkflow.Outcome);
        Assert.Equal(["workflow: no ReleaseWorkflow named \"nosuch-flow\"; stored: zeta-flow"], noWorkflow.Errors);

        var same = await H.Releases.StartAsync(new StartRequest { Service = "zeta", Version = "v1", Workflow = "zeta-flow" }, default);
        Assert.Equal(ReleaseOutcome.Invalid, same.Outcome);
        Assert.Contains("already the stable version", same.Errors.Single(), StringComparison.Ordinal);
        Assert.Empty(await H.Releases.AllAsync());
    }

    /// <summary>
    /// A start reads only the documents it needs: the service's rule is the one whose host it is, though another
    /// service's rule bears its name.
    /// </summary>
    [Fact]
    public async Task Start_TheStableVersionComesFromTheRuleWhoseHostIsTheService_WhateverItIsNamed()
    {
        await H.ApplyAsync(TestMeshes.Join(
            TestMeshes.Service("theta"),
            TestMeshes.Service("iota"),
            TestMeshes.Rule("theta", [new("stable", "v3")], name: "theta-rules"),
            TestMeshes.Rule("iota", [new("stable", "v1")], name: "theta"),
            TestMeshes.Workflow("theta-flow", "  - promote: {}")));

        var started = await H.StartAsync("theta", "v4");

        Assert.Equal("v3", started.StableVersion);
    }
}
