using System.Text.Json.Nodes;
using LightMesh.Testing;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>The <c>schedule</c> and <c>window</c> verbs as processes against a real controller process and etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class ScheduleVerbTests(EtcdFixture etcd, ControllerProcessFixture controller) : IClassFixture<ControllerProcessFixture>
{
    private Task<Result> Verb(string token, params string[] args) => RunAsync([.. args, "--server", controller.Url, "--token", token]);

    private async Task ServiceAsync(string service)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, $"{service}.yaml");
        await File.WriteAllTextAsync(file, TestMeshes.Join(
            TestMeshes.Service(service, image: $"example/{service}"),
            TestMeshes.RegionTemplate($"{service}-check"),
            TestMeshes.Workflow($"{service}-flow", $$"""
                  - deploy: {}
                  - analysis: {templates: [{{service}}-check]}
                  - promote: {}
                """)));
        var applied = await RunAsync(["apply", "-f", file, "--etcd", etcd.Endpoint, "--prefix", controller.Prefix]);
        Assert.True(applied.ExitCode == 0, applied.ToString());
    }

    [Fact]
    public async Task ScheduleAddListRm_ThroughTheApi()
    {
        await ServiceAsync("sched-a");

        var added = await Verb(controller.AdminToken, "schedule", "add", "sched-a-nightly", "--service", "sched-a", "--workflow", "sched-a-flow",
            "--cron", "0 0 2 ? * MON-FRI", "--time-zone", "Europe/Berlin", "--arg", "region=eu");
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("Schedule/sched-a-nightly created", added.Stdout, StringComparison.Ordinal);

        var table = await Verb(controller.Token, "schedule", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("sched-a-nightly", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 0 2 ? * MON-FRI (Europe/Berlin)", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("newest announced (none yet)", table.Stdout, StringComparison.Ordinal);

        var json = await Verb(controller.Token, "schedule", "list", "-o", "json");
        var view = JsonNode.Parse(json.Stdout)!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "sched-a-nightly")!;
        Assert.Equal(("sched-a", "Europe/Berlin"), (view["service"]!.GetValue<string>(), view["timeZone"]!.GetValue<string>()));
        var next = DateTimeOffset.Parse(view["nextFiring"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(next > DateTimeOffset.UtcNow && next.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday), $"next firing {next:O}");

        var removed = await Verb(controller.AdminToken, "schedule", "rm", "sched-a-nightly");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.DoesNotContain("sched-a-nightly", (await Verb(controller.Token, "schedule", "list")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleAdd_BadFlags_NamesEachFlag_AndWritesNothing()
    {
        await ServiceAsync("sched-b");

        var result = await Verb(controller.AdminToken, "schedule", "add", "sched-b-bad", "--service", "sched-b", "--cron", "0 2 * * *", "--time-zone", "Mars/Olympus");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.True(result.Stderr.Contains("--cron: \"0 2 * * *\" is not a Quartz cron expression", StringComparison.Ordinal), result.ToString());
        Assert.Contains("--time-zone: \"Mars/Olympus\" is not a time zone", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sched-b-bad", (await Verb(controller.Token, "schedule", "list")).Stdout, StringComparison.Ordinal);

        var neither = await Verb(controller.AdminToken, "schedule", "add", "sched-b-none", "--service", "sched-b");
        Assert.True(neither.ExitCode == 2, neither.ToString());
        Assert.Contains("--cron/--at: needs exactly one of cron", neither.Stderr, StringComparison.Ordinal);

        // Only an argument the workflow's templates declare, and a value they take.
        var undeclared = await Verb(controller.AdminToken, "schedule", "add", "sched-b-zone", "--service", "sched-b", "--workflow", "sched-b-flow",
            "--cron", "0 0 2 ? * MON-FRI", "--arg", "zone=eu", "--arg", "region=eu\"} or vector(1)");
        Assert.True(undeclared.ExitCode == 2, undeclared.ToString());
        Assert.Contains("spec.args.zone: is not declared by the AnalysisTemplate workflow sched-b-flow runs: sched-b-check (region)", undeclared.Stderr, StringComparison.Ordinal);
        Assert.Contains("spec.args.region: \"eu\\\"} or vector(1)\" cannot go into the query of sched-b-check/up", undeclared.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sched-b-zone", (await Verb(controller.Token, "schedule", "list")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleAdd_NeedsAnAdmin()
    {
        await ServiceAsync("sched-c");

        var result = await Verb(controller.Token, "schedule", "add", "sched-c-once", "--service", "sched-c", "--at", "2030-01-01T00:00:00Z", "--version", "v2");

        Assert.True(result.ExitCode == 7, result.ToString());
    }

    [Fact]
    public async Task WindowAddListRm_ShowsWhetherItIsOpen()
    {
        await ServiceAsync("win-a");
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var end = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        var freeze = await Verb(controller.AdminToken, "window", "add", "win-a-freeze", "--type", "freeze", "--service", "win-a", "--start", start, "--end", end);
        var allow = await Verb(controller.AdminToken, "window", "add", "win-a-hours", "--service", "win-a", "--schedule", "0 0 8 ? * MON-FRI", "--duration", "9h");
        Assert.True(freeze.ExitCode == 0, freeze.ToString());
        Assert.True(allow.ExitCode == 0, allow.ToString());

        var table = await Verb(controller.Token, "window", "list");
        var freezeRow = table.Stdout.Split('\n').Single(l => l.Contains("win-a-freeze", StringComparison.Ordinal));
        Assert.Contains("freeze", freezeRow, StringComparison.Ordinal);
        Assert.Contains("open until", freezeRow, StringComparison.Ordinal);
        Assert.Contains("0 0 8 ? * MON-FRI for 9h", table.Stdout, StringComparison.Ordinal);

        // The freeze is on: starting a release of win-a is refused, naming it.
        var refused = await RunAsync(["release", "start", "win-a", "v2", "--workflow", "win-a-flow", "--server", controller.Url, "--token", controller.Token]);
        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains("freeze win-a-freeze until", refused.Stderr, StringComparison.Ordinal);

        var bad = await Verb(controller.AdminToken, "window", "add", "win-a-bad", "--type", "deny", "--duration", "1h");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("--type: \"deny\" must be allow or freeze", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("--schedule: is required with duration", bad.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await Verb(controller.AdminToken, "window", "rm", "win-a-freeze")).ExitCode);
        Assert.Equal(0, (await Verb(controller.AdminToken, "window", "rm", "win-a-hours")).ExitCode);
        Assert.DoesNotContain("win-a", (await Verb(controller.Token, "window", "list")).Stdout, StringComparison.Ordinal);
    }
}
