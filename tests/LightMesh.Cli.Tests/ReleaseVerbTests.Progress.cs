using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LightMesh.Processes;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary><c>release status</c> and <c>status --watch</c> show the step, the weights as a bar and the last measurements.</summary>
public sealed partial class ReleaseVerbTests
{
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
