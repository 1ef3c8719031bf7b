using LightMesh.Core.Documents;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;
using LightMesh.Core.Scheduling;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Tests.Scheduling;

/// <summary>Schedule and DeliveryWindow documents: strict parsing with every error at its path, round trips, cross-document rules.</summary>
public sealed class ScheduleDocumentTests
{
    private const string ScheduleHead = "apiVersion: lightmesh.io/v1\nkind: Schedule\nmetadata: {name: nightly}\n";
    private const string WindowHead = "apiVersion: lightmesh.io/v1\nkind: DeliveryWindow\nmetadata: {name: hours}\n";

    private static string ExampleText => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "schedules.yaml"));

    public static TheoryData<string, string, string, string> Invalid => new()
    {
        { "no-service", ScheduleHead + "spec: {cron: '0 0 2 * * ?'}\n", "spec", "needs exactly one of service (a release of one service) and group" },
        { "service-and-group", ScheduleHead + "spec: {service: checkout, group: shop, cron: '0 0 2 * * ?'}\n", "spec", "needs exactly one of service" },
        { "group-with-workflow", ScheduleHead + "spec: {group: shop, workflow: canary, cron: '0 0 2 * * ?'}\n", "spec.workflow", "not with group" },
        { "group-with-version", ScheduleHead + "spec: {group: shop, version: v2, cron: '0 0 2 * * ?'}\n", "spec.version", "pin members' versions with versions" },
        { "versions-without-group", ScheduleHead + "spec: {service: checkout, versions: {checkout: v2}, cron: '0 0 2 * * ?'}\n", "spec.versions", "only with group" },
        { "group-bad-version", ScheduleHead + "spec: {group: shop, versions: {checkout: 'v 2'}, cron: '0 0 2 * * ?'}\n", "spec.versions.checkout", "" },
        { "neither-cron-nor-at", ScheduleHead + "spec: {service: checkout}\n", "spec", "exactly one of cron" },
        { "both", ScheduleHead + "spec: {service: checkout, cron: '0 0 2 * * ?', at: '2026-12-01T02:00:00Z'}\n", "spec", "exactly one of cron" },
        { "unix-cron", ScheduleHead + "spec: {service: checkout, cron: '0 2 * * *'}\n", "spec.cron", "5 fields, which is the Unix/crontab form" },
        { "bad-hour", ScheduleHead + "spec: {service: checkout, cron: '0 0 25 * * ?'}\n", "spec.cron", "Hour values must be between 0 and 23" },
        { "bad-zone", ScheduleHead + "spec: {service: checkout, cron: '0 0 2 * * ?', timeZone: Mars/Olympus}\n", "spec.timeZone", "\"Mars/Olympus\" is not a time zone" },
        { "at-without-offset", ScheduleHead + "spec: {service: checkout, at: '2026-12-01T02:00:00'}\n", "spec.at", "is not a time with its offset" },
        { "at-garbage", ScheduleHead + "spec: {service: checkout, at: tomorrow}\n", "spec.at", "is not a time with its offset" },
        { "bad-version", ScheduleHead + "spec: {service: checkout, at: '2026-12-01T02:00:00Z', version: 'v 2'}\n", "spec.version", "is not a valid version label" },
        { "bad-deadline", ScheduleHead + "spec: {service: checkout, cron: '0 0 2 * * ?', startingDeadline: soon}\n", "spec.startingDeadline", "is not a duration" },
        { "suspend-text", ScheduleHead + "spec: {service: checkout, cron: '0 0 2 * * ?', suspend: 'yes'}\n", "spec.suspend", "must be true or false" },
        { "unknown-field", ScheduleHead + "spec: {service: checkout, cron: '0 0 2 * * ?', every: 1d}\n", "spec.every", "unknown or unsupported field" },
        { "window-no-type", WindowHead + "spec: {schedule: '0 0 9 * * ?', duration: 8h}\n", "spec.type", "is required" },
        { "window-bad-type", WindowHead + "spec: {type: deny, schedule: '0 0 9 * * ?', duration: 8h}\n", "spec.type", "\"deny\" must be allow or freeze" },
        { "window-no-duration", WindowHead + "spec: {type: allow, schedule: '0 0 9 * * ?'}\n", "spec.duration", "is required with schedule" },
        { "window-no-schedule", WindowHead + "spec: {type: allow, duration: 8h}\n", "spec.schedule", "is required with duration" },
        { "window-no-end", WindowHead + "spec: {type: freeze, start: '2026-12-23T00:00:00Z'}\n", "spec.end", "is required with start" },
        { "window-both", WindowHead + "spec: {type: freeze, start: '2026-12-23T00:00:00Z', end: '2026-12-24T00:00:00Z', schedule: '0 0 9 * * ?', duration: 1h}\n", "spec", "not both" },
        { "window-neither", WindowHead + "spec: {type: freeze}\n", "spec", "needs schedule and duration" },
        { "window-end-first", WindowHead + "spec: {type: freeze, start: '2026-12-23T00:00:00Z', end: '2026-12-22T00:00:00Z'}\n", "spec.end", "must be after start" },
        { "window-bad-service", WindowHead + "spec: {type: freeze, services: [Checkout], start: '2026-12-23T00:00:00Z', end: '2026-12-24T00:00:00Z'}\n", "spec.services[0]", "DNS-1123 label" },
        { "window-bad-pattern", WindowHead + "spec: {type: freeze, services: ['pay_*'], start: '2026-12-23T00:00:00Z', end: '2026-12-24T00:00:00Z'}\n", "spec.services[0]", "not a service name pattern" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_InvalidDocument_ReportsErrorAtPath(string name, string yaml, string path, string fragment)
    {
        var result = DocumentParser.Parse(yaml, $"{name}.yaml");

        Assert.Empty(result.Documents);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_Example_ReadsEveryField()
    {
        var result = DocumentParser.Parse(ExampleText, "schedules.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var nightly = result.Documents.Select(d => d.Document).OfType<Schedule>().Single(s => s.Name == "payments-nightly").Spec;
        Assert.Equal(("payments", "quick", "0 0 2 ? * MON-FRI", "Europe/Berlin", TimeSpan.FromMinutes(30)), (nightly.Service, nightly.EffectiveWorkflow, nightly.Cron!.Text, nightly.Cron.TimeZone.Id, nightly.EffectiveStartingDeadline));
        Assert.Null(nightly.Version);
        var launch = result.Documents.Select(d => d.Document).OfType<Schedule>().Single(s => s.Name == "checkout-v2-launch").Spec;
        Assert.Equal((DateTimeOffset.Parse("2026-12-01T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture), "v2", "canary"), (launch.At!.Value, launch.Version, launch.EffectiveWorkflow));
        var freeze = result.Documents.Select(d => d.Document).OfType<DeliveryWindow>().Single(w => w.Name == "year-end").Spec;
        Assert.Equal((WindowType.Freeze, true), (freeze.Type, freeze.Covers("anything")));
        var trigger = result.Documents.Select(d => d.Document).OfType<ReleaseTrigger>().Single();
        Assert.Equal(TriggerMode.Announce, trigger.Spec.Mode);
    }

    [Fact]
    public void Write_Example_RoundTrips()
    {
        foreach (var document in DocumentParser.Parse(ExampleText, "schedules.yaml").Documents.Select(d => d.Document))
        {
            var json = DocumentCodec.Write(document).ToJsonString();
            var again = DocumentParser.ParseJson(json, "etcd");

            Assert.True(again.IsValid, string.Join("\n", again.Errors));
            Assert.Equal(json, DocumentCodec.Write(again.Documents[0].Document).ToJsonString());
        }
    }

    [Fact]
    public void Validate_ScheduleOfUnknownServiceAndWorkflow_NamesBoth()
    {
        var documents = DocumentParser.Parse(ScheduleHead + "spec: {service: ghost, workflow: slow, cron: '0 0 2 * * ?'}\n", "s.yaml").Documents;

        var errors = DocumentSetValidator.Validate(documents, complete: true).Select(e => $"{e.Path}: {e.Message}").ToList();

        Assert.Equal(["spec.service: no Service named \"ghost\"", "spec.workflow: no ReleaseWorkflow named \"slow\""], errors);
    }

    [Fact]
    public void Validate_GroupScheduleOfUnknownGroup_OrPinningANonMember_NamesIt()
    {
        var group = "apiVersion: lightmesh.io/v1\nkind: ReleaseGroupWorkflow\nmetadata: {name: shop}\nspec:\n  members:\n  - {service: payments, workflow: canary}\n";
        string Errors(string yaml) => string.Join("; ", DocumentSetValidator.Validate(DocumentParser.Parse(yaml, "s.yaml").Documents, complete: true)
            .Where(e => e.Path.StartsWith("spec.group", StringComparison.Ordinal) || e.Path.StartsWith("spec.versions", StringComparison.Ordinal)).Select(e => $"{e.Path}: {e.Message}"));

        Assert.Equal("spec.group: no ReleaseGroupWorkflow named \"ghost\"", Errors(ScheduleHead + "spec: {group: ghost, cron: '0 0 2 * * ?'}\n"));
        Assert.Equal(
            "spec.versions.checkout: not a member of group workflow shop (its members: payments)",
            Errors(ScheduleHead + "spec: {group: shop, versions: {payments: v2, checkout: v3}, cron: '0 0 2 * * ?'}\n---\n" + group));
        var parsed = DocumentParser.Parse(ScheduleHead + "spec: {group: shop, versions: {payments: v2}, cron: '0 0 2 * * ?'}\n", "s.yaml");
        Assert.Empty(parsed.Errors);
        var spec = ((Schedule)parsed.Documents.Single().Document).Spec;
        Assert.Equal(("shop", "group shop", "v2"), (spec.Group, spec.Target, spec.Versions!["payments"]));
        Assert.Equal("{\"group\":\"shop\",\"versions\":{\"payments\":\"v2\"},\"cron\":\"0 0 2 * * ?\"}", DocumentCodec.Write(parsed.Documents.Single().Document)["spec"]!.ToJsonString());
    }

    [Fact]
    public void Validate_WindowNamingUnknownService_IsAnError_ButAPatternIsNot()
    {
        var documents = DocumentParser.Parse(WindowHead + "spec: {type: allow, services: [ghost, 'pay-*'], schedule: '0 0 9 * * ?', duration: 8h}\n", "w.yaml").Documents;

        var errors = DocumentSetValidator.Validate(documents, complete: true);

        Assert.Equal("spec.services[0]: no Service named \"ghost\"", Assert.Single(errors).Path + ": " + errors[0].Message);
    }

    [Theory]
    [InlineData("checkout", "checkout", true)]
    [InlineData("checkout", "checkouts", false)]
    [InlineData("pay-*", "pay-eu", true)]
    [InlineData("pay-*", "pay", false)]
    [InlineData("*-eu", "pay-eu", true)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("*", "anything", true)]
    public void Covers_MatchesNamesAndPatterns(string pattern, string service, bool covered)
    {
        var spec = new DeliveryWindowSpec { Type = WindowType.Allow, Services = [pattern], Start = DateTimeOffset.UnixEpoch, End = DateTimeOffset.MaxValue };

        Assert.Equal(covered, spec.Covers(service));
    }

    [Fact]
    public void Kinds_HaveCliAliases()
    {
        Assert.True(DocumentKinds.TryParse("windows", out var window) && window == DocumentKind.DeliveryWindow);
        Assert.True(DocumentKinds.TryParse("schedule", out var schedule) && schedule == DocumentKind.Schedule);
    }
}
