using System.Globalization;
using LightMesh.Core.Documents;
using LightMesh.Core.Scheduling;
using LightMesh.Core.Validation;

namespace LightMesh.Core.Tests.Scheduling;

/// <summary>The verdict of delivery windows: freezes win, allow windows must be open, services without windows are never held.</summary>
public sealed class DeliveryWindowsTests
{
    private static DateTimeOffset T(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static DeliveryWindow Window(string name, WindowType type, string? cron = null, string? duration = null, string? start = null, string? end = null, params string[] services)
    {
        Assert.True(Duration.TryParse(duration ?? "1s", out var length));
        return new DeliveryWindow
        {
            ApiVersion = DocumentKinds.LightMeshApiVersion,
            Metadata = new ObjectMeta { Name = name },
            Spec = new DeliveryWindowSpec
            {
                Type = type,
                Services = services.Length == 0 ? null : services,
                Schedule = cron is null ? null : CronSchedule.TryParse(cron, TimeZoneInfo.Utc, out _),
                Duration = duration is null ? null : length,
                Start = start is null ? null : T(start),
                End = end is null ? null : T(end),
            },
        };
    }

    // Weekdays 09:00-17:00 UTC; 2026-11-27 is a Friday, 2026-11-28 a Saturday.
    private static readonly DeliveryWindow Hours = Window("hours", WindowType.Allow, cron: "0 0 9 ? * MON-FRI", duration: "8h");

    [Fact]
    public void Evaluate_NoWindows_IsOpen()
    {
        Assert.Equal(WindowVerdict.Unrestricted, DeliveryWindows.Evaluate([], "checkout", T("2026-11-28T12:00:00Z")));
    }

    [Fact]
    public void Evaluate_InsideAllowWindow_IsOpenUntilItCloses()
    {
        var verdict = DeliveryWindows.Evaluate([Hours], "checkout", T("2026-11-27T12:00:00Z"));

        Assert.Equal(new WindowVerdict(true, null, "window hours open until 2026-11-27 17:00:00Z", T("2026-11-27T17:00:00Z")), verdict);
    }

    [Fact]
    public void Evaluate_AfterAllowWindowClosed_IsClosedUntilTheNextOpens()
    {
        var verdict = DeliveryWindows.Evaluate([Hours], "checkout", T("2026-11-27T17:00:00Z"));

        Assert.Equal(new WindowVerdict(false, null, "window hours opens at 2026-11-30 09:00:00Z", T("2026-11-30T09:00:00Z")), verdict);
    }

    [Fact]
    public void Evaluate_AllowWindowOfAnotherService_DoesNotHold()
    {
        var verdict = DeliveryWindows.Evaluate([Window("pay-hours", WindowType.Allow, cron: "0 0 9 ? * MON-FRI", duration: "8h", services: "payments")], "checkout", T("2026-11-28T12:00:00Z"));

        Assert.True(verdict.Open);
    }

    [Fact]
    public void Evaluate_FreezeWinsOverAnOpenAllowWindow_AndIsNamed()
    {
        var freeze = Window("year-end", WindowType.Freeze, start: "2026-11-27T00:00:00Z", end: "2026-11-30T00:00:00Z");

        var verdict = DeliveryWindows.Evaluate([Hours, freeze], "checkout", T("2026-11-27T12:00:00Z"));

        Assert.Equal(new WindowVerdict(false, "year-end", "freeze year-end until 2026-11-30 00:00:00Z", T("2026-11-30T00:00:00Z")), verdict);
    }

    [Fact]
    public void Evaluate_FreezeOver_LeavesTheAllowWindows()
    {
        var freeze = Window("year-end", WindowType.Freeze, start: "2026-11-20T00:00:00Z", end: "2026-11-27T10:00:00Z");

        Assert.True(DeliveryWindows.Evaluate([Hours, freeze], "checkout", T("2026-11-27T10:00:00Z")).Open);
    }

    [Fact]
    public void Evaluate_OneOffAllowWindowInThePast_NeverOpensAgain()
    {
        var once = Window("launch", WindowType.Allow, start: "2026-11-01T00:00:00Z", end: "2026-11-02T00:00:00Z");

        Assert.Equal(new WindowVerdict(false, null, "no window of launch opens again", null), DeliveryWindows.Evaluate([once], "checkout", T("2026-11-28T12:00:00Z")));
    }

    [Fact]
    public void Evaluate_SeveralAllowWindows_TheEarliestOpeningIsNamed()
    {
        var later = Window("late", WindowType.Allow, start: "2026-12-05T00:00:00Z", end: "2026-12-06T00:00:00Z");

        var verdict = DeliveryWindows.Evaluate([later, Hours], "checkout", T("2026-11-28T12:00:00Z"));

        Assert.Equal(T("2026-11-30T09:00:00Z"), verdict.NextChange);
    }
}
