using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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

    // Twenty cells, one per 5%: 80/20 is sixteen stable cells and four canary cells.
    private static Regex BarAt(int stable, int canary) =>
        new($"(?m)^weights +stable {stable}% █{{{stable / 5}}}░{{{canary / 5}}} canary {canary}% *$");
}
